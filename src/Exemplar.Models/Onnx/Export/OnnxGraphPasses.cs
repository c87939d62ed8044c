using Exemplar.Models.Onnx.Proto;
using Exemplar.Torch;

namespace Exemplar.Models.Onnx.Export;

/// <summary>Graph rewrites applied to exported graphs before they are written.</summary>
internal static class OnnxGraphPasses
{
    /// <summary>
    /// Folds BatchNormalization into the Conv that feeds it (when the Conv's weights, bias and the statistics are
    /// initializers and nothing else reads the Conv's output): W' = W·γ/√(σ²+ε) per output channel,
    /// b' = (b − μ)·γ/√(σ²+ε) + β.
    /// </summary>
    public static void FoldBatchNorm(OnnxGraphBuilder builder, GraphProto graph)
    {
        var consumers = Consumers(builder.Nodes, graph);
        var producers = new Dictionary<string, NodeProto>(StringComparer.Ordinal);
        foreach (var n in builder.Nodes) foreach (var o in n.Output) producers[o] = n;
        var removed = new HashSet<NodeProto>(ReferenceEqualityComparer.Instance);
        foreach (var bn in builder.Nodes.Where(n => n.OpType == "BatchNormalization").ToList())
        {
            if (!producers.TryGetValue(bn.Input[0], out var conv) || conv.OpType != "Conv" || consumers[conv.Output[0]] != 1) continue;
            var init = builder.Initializers;
            if (!init.ContainsKey(conv.Input[1]) || (conv.Input.Count > 2 && !init.ContainsKey(conv.Input[2]))) continue;
            if (!bn.Input.Skip(1).All(init.ContainsKey)) continue;
            float eps = bn.Attribute.FirstOrDefault(a => a.Name == "epsilon")?.F ?? 1e-5f;
            using var scope = DisposeScope.Begin();
            var w = init[conv.Input[1]].To(DType.Float64);
            var gamma = init[bn.Input[1]].To(DType.Float64);
            var beta = init[bn.Input[2]].To(DType.Float64);
            var mean = init[bn.Input[3]].To(DType.Float64);
            var variance = init[bn.Input[4]].To(DType.Float64);
            var factor = gamma / (variance + eps).Sqrt();
            var bias = conv.Input.Count > 2 ? init[conv.Input[2]].To(DType.Float64) : Tensor.Zeros([w.Size(0)], DType.Float64);
            var dtype = init[conv.Input[1]].DType;
            // A weight initializer may be shared by several convolutions: the folded one gets its own.
            var newWeight = builder.Initializer((w * factor.Reshape(-1, 1, 1, 1)).To(dtype), "conv_bn_weight");
            var newBias = builder.Initializer(((bias - mean) * factor + beta).To(dtype), "conv_bn_bias");
            conv.Input[1] = newWeight;
            if (conv.Input.Count > 2) conv.Input[2] = newBias;
            else conv.Input.Add(newBias);
            conv.Output[0] = bn.Output[0];
            removed.Add(bn);
        }
        builder.Nodes.RemoveAll(removed.Contains);
    }

    /// <summary>Drops nodes that no graph output depends on.</summary>
    public static void RemoveUnused(OnnxGraphBuilder builder, GraphProto graph)
    {
        var kept = Needed(builder.Nodes, graph.Output.Select(o => o.Name), out _);
        builder.Nodes.Clear();
        builder.Nodes.AddRange(kept);
    }

    /// <summary>
    /// The nodes (in their order) that <paramref name="outputs"/> depend on, and every value name they read.
    /// </summary>
    public static List<NodeProto> Needed(IReadOnlyList<NodeProto> nodes, IEnumerable<string> outputs, out HashSet<string> read)
    {
        read = new HashSet<string>(outputs, StringComparer.Ordinal);
        var kept = new List<NodeProto>();
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var n = nodes[i];
            if (!n.Output.Any(read.Contains)) continue;
            kept.Add(n);
            foreach (var input in n.Input) if (input.Length > 0) read.Add(input);
        }
        kept.Reverse();
        return kept;
    }

    private static Dictionary<string, int> Consumers(List<NodeProto> nodes, GraphProto graph)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var n in nodes) foreach (var o in n.Output) counts.TryAdd(o, 0);
        foreach (var n in nodes) foreach (var i in n.Input) if (counts.ContainsKey(i)) counts[i]++;
        foreach (var o in graph.Output) if (counts.ContainsKey(o.Name)) counts[o.Name]++;
        return counts;
    }
}
