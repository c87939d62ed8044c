using System.Text.Json;
using Exemplar.Torch;
using Exemplar.Vision.Masks;

namespace Exemplar.Vision.Datasets;

/// <summary>
/// Clothing Co-Parsing (Yang et al., CVPR 2014), pixel-labelled part: <c>photos/NNNN.jpg</c> with gray class-id masks
/// <c>masks/NNNN.png</c> (0 = null/background … 58) and the class names in <c>labels.json</c>
/// (<c>{"labels": ["null", "accessories", …]}</c>). Items are the masks that have a photo; photos without a mask
/// (the unlabelled part) are not items. Nothing is ignored.
/// </summary>
public sealed class CcpDataset : SegmentationDatasetBase
{
    /// <summary>Opens the CCP folder <paramref name="root"/>.</summary>
    /// <exception cref="DatasetLayoutException">A folder, <c>labels.json</c> or a mask's photo is missing, or there are no masks.</exception>
    public CcpDataset(string root) : this(List(root))
    {
    }

    private CcpDataset((string Root, DatasetClass[] Classes, DatasetItem[] Items) listing) : base("CCP", listing.Root, listing.Classes, listing.Items)
    {
    }

    /// <inheritdoc/>
    protected override Tensor LoadLabels(int index, DatasetItem item)
    {
        var labels = DatasetMasks.Decode(item.MaskPath!, MaskEncodings.Ccp, IgnoreLabel);
        using var tooLarge = labels.Ge(Classes.Count);
        if (tooLarge.Any().Item<bool>())
        {
            labels.Dispose();
            throw new ImageFormatException(item.MaskPath!, $"holds a class id above {Classes.Count - 1}, the last class of labels.json");
        }
        return labels;
    }

    /// <summary>The class names of a CCP <c>labels.json</c>, by id.</summary>
    /// <exception cref="DatasetLayoutException">The file is missing or is not <c>{"labels": [names…]}</c>.</exception>
    public static IReadOnlyList<string> ReadLabels(string path)
    {
        DatasetFiles.RequireFile(path, "CCP's labels.json ({\"labels\": [names…]})");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            if (!doc.RootElement.TryGetProperty("labels", out var labels) || labels.ValueKind != JsonValueKind.Array)
            {
                throw new DatasetLayoutException(path, "expected {\"labels\": [names…]}");
            }
            return labels.EnumerateArray().Select(e => e.GetString() ?? throw new DatasetLayoutException(path, "a label name is null")).ToArray();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new DatasetLayoutException(path, $"not valid JSON of the form {{\"labels\": [names…]}}: {e.Message}", e);
        }
    }

    private static (string, DatasetClass[], DatasetItem[]) List(string root)
    {
        root = DatasetFiles.RequireRoot(root, "CCP");
        string photos = DatasetFiles.RequireFolder(Path.Combine(root, "photos"), "photos/*.jpg");
        string masks = DatasetFiles.RequireFolder(Path.Combine(root, "masks"), "masks/*.png");
        var names = ReadLabels(Path.Combine(root, "labels.json"));
        if (names.Count is 0 or > 255) throw new DatasetLayoutException(Path.Combine(root, "labels.json"), $"lists {names.Count} labels; expected 1 to 255");
        var classes = names.Select((n, i) => new DatasetClass(i, n)).ToArray();
        var items = DatasetFiles.List(masks, DatasetFiles.MaskExtensions)
            .Select(mask =>
            {
                string stem = Path.GetFileNameWithoutExtension(mask);
                return new DatasetItem(stem, DatasetFiles.Partner(photos, stem, [".jpg", ".jpeg", ".png"], mask, "photo"), mask);
            })
            .ToArray();
        return (root, classes, items);
    }
}
