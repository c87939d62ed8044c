namespace Exemplar.Vision.Datasets;

/// <summary>One item of a data set, as listed (nothing decoded).</summary>
/// <param name="Id">
/// A name unique within the data set, stable across machines: usually the image path relative to the root without its
/// extension, with '/' separators (e.g. "eiffel_tower/1", "train/0001TP_006690").
/// </param>
/// <param name="ImagePath">Full path of the image file.</param>
/// <param name="MaskPath">Full path of the mask file, or null when the labels come from annotations (COCO).</param>
public sealed record DatasetItem(string Id, string ImagePath, string? MaskPath)
{
    /// <summary>
    /// The object class the whole item is about, when the layout says so: FSS-1000's class folder, the DAVIS sequence,
    /// the magnetic-tile defect type, the PerSeg object. Null for scene data sets (CamVid, COCO, VOC…).
    /// </summary>
    public string? Category { get; init; }

    /// <summary>
    /// Class ids the folder layout or the annotations assign to the item, ascending, known without decoding the mask;
    /// null when only the mask can tell (CamVid, CCP, VOC…). A layout can assign a class whose mask is empty (two
    /// MT_Uneven masks of the magnetic-tile set are).
    /// </summary>
    public IReadOnlyList<long>? ClassIds { get; init; }
}
