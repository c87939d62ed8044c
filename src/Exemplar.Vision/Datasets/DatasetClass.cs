namespace Exemplar.Vision.Datasets;

/// <summary>A class of a data set: the value its pixels hold in label maps, and its name.</summary>
/// <param name="Id">The label value.</param>
/// <param name="Name">The class name as the data set spells it.</param>
public sealed record DatasetClass(long Id, string Name);
