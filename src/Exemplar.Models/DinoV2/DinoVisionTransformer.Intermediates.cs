using System.Globalization;
using Exemplar.Torch;

namespace Exemplar.Models.DinoV2;

public sealed partial class DinoVisionTransformer
{
    /// <summary>Number of blocks (levels of <see cref="ForwardIntermediates"/>).</summary>
    public int LevelCount => Options.Depth;

    /// <summary>Channels of every feature map: D.</summary>
    public long FeatureChannels => Options.EmbedDim;

    /// <summary>
    /// ImageNet mean and std, sides multiples of 14, default side 518: the resolution of the released models' final
    /// training phase and of their 37 × 37 position grid, used without interpolation (224 also works, at a quarter of
    /// the cost and coarser 16 × 16 features).
    /// </summary>
    public Preprocessing Preprocessing => PreprocessingFor(Options);

    /// <summary>ImageNet normalisation, sides a multiple of the patch size, default side the position grid's (518).</summary>
    public static Preprocessing PreprocessingFor(DinoV2Options options) =>
        Preprocessing.ImageNet(options.PatchSize, options.ImageSize);

    /// <summary>
    /// The official <c>get_intermediate_layers</c> with <c>n</c> an int: the outputs of the last <paramref name="n"/>
    /// blocks, in block order. <paramref name="norm"/> applies the final LayerNorm; <paramref name="reshape"/> gives the
    /// patch tokens as [B, D, h, w] instead of [B, h·w, D]; <paramref name="returnClassToken"/> adds the class token [B, D].
    /// </summary>
    public IReadOnlyList<DinoV2LayerOutput> GetIntermediateLayers(Tensor image, int n = 1, bool reshape = false, bool returnClassToken = false, bool norm = true)
    {
        if (n < 1 || n > Options.Depth) throw new ArgumentOutOfRangeException(nameof(n), n, $"must be between 1 and the depth ({Options.Depth})");
        return GetIntermediateLayers(image, Enumerable.Range(Options.Depth - n, n).ToArray(), reshape, returnClassToken, norm);
    }

    /// <summary>
    /// The official <c>get_intermediate_layers</c> with explicit block indices (0-based, distinct): their outputs in
    /// block order, as the official code returns them. Options as in the other overload.
    /// </summary>
    public IReadOnlyList<DinoV2LayerOutput> GetIntermediateLayers(Tensor image, IReadOnlyList<int> blockIndices, bool reshape = false, bool returnClassToken = false, bool norm = true)
    {
        ArgumentNullException.ThrowIfNull(blockIndices);
        if (blockIndices.Count == 0) throw new ArgumentException("no block index given", nameof(blockIndices));
        foreach (int i in blockIndices)
        {
            if (i < 0 || i >= Options.Depth) throw new ArgumentOutOfRangeException(nameof(blockIndices), i, $"block index out of range [0, {Options.Depth})");
        }
        if (blockIndices.Distinct().Count() != blockIndices.Count) throw new ArgumentException($"block indices repeat: [{string.Join(", ", blockIndices)}]", nameof(blockIndices));

        using var scope = DisposeScope.Begin();
        var outputs = RunBlocks(image, blockIndices, out int gridH, out int gridW);
        var results = new List<DinoV2LayerOutput>(outputs.Count);
        foreach (var (index, tokens) in outputs)
        {
            var x = norm ? Norm.Forward(tokens) : tokens;
            var patches = x.Slice(1, 1 + Options.RegisterTokens, null);
            if (reshape) patches = patches.Reshape(x.Size(0), gridH, gridW, -1).Permute(0, 3, 1, 2).Contiguous();
            var cls = returnClassToken ? x.Select(1, 0).MoveToOuterScope() : null;
            results.Add(new DinoV2LayerOutput(index, patches.MoveToOuterScope(), cls));
        }
        return results;
    }

    /// <summary>The final normalised patch tokens as a map: image [B, 3, H, W] → [B, D, H/14, W/14], named "norm".</summary>
    public FeatureMap ForwardFeatures(Tensor image)
    {
        var output = GetIntermediateLayers(image, 1, reshape: true, norm: true)[0];
        return new FeatureMap(output.PatchTokens, Options.PatchSize, "norm");
    }

    /// <summary>
    /// The final-normalised patch tokens after each block in <paramref name="levels"/> (0-based, negative from the
    /// end; repeats allowed), in the order asked, as maps [B, D, H/14, W/14] named "blocks.N".
    /// </summary>
    public IReadOnlyList<FeatureMap> ForwardIntermediates(Tensor image, IReadOnlyList<int> levels)
    {
        ArgumentNullException.ThrowIfNull(levels);
        var resolved = levels.Select(l => l < 0 ? Options.Depth + l : l).ToArray();
        for (int i = 0; i < resolved.Length; i++)
        {
            if (resolved[i] < 0 || resolved[i] >= Options.Depth) throw new ArgumentOutOfRangeException(nameof(levels), levels[i], $"level out of range for {Options.Depth} blocks");
        }
        if (resolved.Length == 0) return [];
        using var scope = DisposeScope.Begin();
        var byBlock = GetIntermediateLayers(image, resolved.Distinct().Order().ToArray(), reshape: true, norm: true).ToDictionary(o => o.BlockIndex);
        var maps = new List<FeatureMap>(resolved.Length);
        foreach (int block in resolved)
        {
            // Each map owns its tensor, so a repeated level gets its own handle to the same data.
            maps.Add(new FeatureMap(byBlock[block].PatchTokens.Alias().MoveToOuterScope(), Options.PatchSize, "blocks." + block.ToString(CultureInfo.InvariantCulture)));
        }
        foreach (var output in byBlock.Values) output.Dispose();
        return maps;
    }

    /// <summary>Runs the blocks up to the last one asked for; returns the raw outputs of those asked, in block order.</summary>
    private List<(int Index, Tensor Tokens)> RunBlocks(Tensor image, IReadOnlyCollection<int> take, out int gridH, out int gridW)
    {
        using var scope = DisposeScope.Begin();
        var wanted = new HashSet<int>(take);
        int last = wanted.Max();
        var outputs = new List<(int, Tensor)>(wanted.Count);
        var x = PrepareTokens(image, out gridH, out gridW);
        for (int i = 0; i <= last; i++)
        {
            var next = Blocks[i].Forward(x);
            if (!outputs.Exists(o => ReferenceEquals(o.Item2, x))) x.Dispose();
            x = next;
            if (wanted.Contains(i)) outputs.Add((i, x.MoveToOuterScope()));
        }
        return outputs;
    }
}
