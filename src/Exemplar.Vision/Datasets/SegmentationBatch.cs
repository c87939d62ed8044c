using Exemplar.Torch;

namespace Exemplar.Vision.Datasets;

/// <summary>A batch from a <see cref="DataLoader"/>; the reader owns it and must dispose it (which frees both tensors).</summary>
public sealed class SegmentationBatch : IDisposable
{
    internal SegmentationBatch(Tensor images, Tensor masks, int[] indices, DatasetItem[] items, int epoch, int batchIndex)
    {
        Images = images;
        Masks = masks;
        Indices = indices;
        Items = items;
        Epoch = epoch;
        BatchIndex = batchIndex;
    }

    /// <summary>Images [B, 3, H, W] (uint8 as decoded, or the transform's dtype).</summary>
    public Tensor Images { get; }

    /// <summary>Label maps [B, H, W] int64.</summary>
    public Tensor Masks { get; }

    /// <summary>The data set index of each sample.</summary>
    public IReadOnlyList<int> Indices { get; }

    /// <summary>The item of each sample.</summary>
    public IReadOnlyList<DatasetItem> Items { get; }

    /// <summary>The epoch it belongs to.</summary>
    public int Epoch { get; }

    /// <summary>Its position in the epoch (0, 1, …).</summary>
    public int BatchIndex { get; }

    /// <summary>Number of samples B.</summary>
    public int Count => Indices.Count;

    /// <summary>Frees the images and masks.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}

/// <summary>Loading or transforming an item failed in a <see cref="DataLoader"/>; the message names the item and its files.</summary>
public sealed class DataLoaderException : Exception
{
    internal DataLoaderException(string message, int index, DatasetItem? item, Exception? inner) : base(message, inner)
    {
        Index = index;
        Item = item;
    }

    /// <summary>The data set index of the item at fault (-1 when the failure concerns a whole batch).</summary>
    public int Index { get; }

    /// <summary>The item at fault, or null.</summary>
    public DatasetItem? Item { get; }
}
