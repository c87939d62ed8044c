using System.Globalization;
using System.Text.RegularExpressions;

namespace Exemplar.Vision.Datasets;

/// <summary>Which side of a data set's train/eval split.</summary>
public enum SplitSide
{
    /// <summary>What may be trained on.</summary>
    Train,

    /// <summary>What is selected and reported on.</summary>
    Eval,
}

/// <summary>The data sets whose split is a rule on item numbers (<see cref="SharedSplits"/>).</summary>
public enum NumberedSplit
{
    /// <summary>Clothing Co-Parsing: eval = photo ids that are multiples of 4.</summary>
    Ccp,

    /// <summary>Magnetic tiles: eval = odd <c>num_</c> numbers.</summary>
    MagneticTile,

    /// <summary>DRIVE: train = images 21–34, eval = 35–40.</summary>
    Drive,

    /// <summary>ISBI-2012: train = slices 0–19, eval = 20–29.</summary>
    Isbi2012,
}

/// <summary>
/// The train/eval split table of the shared data folder (its README) for the data sets that come as one folder: which
/// items each side holds, by the number in the item's id. (CamVid, COCO-mini and DAVIS come with separate split
/// folders or annotation files.)
/// </summary>
public static partial class SharedSplits
{
    /// <summary>Whether the item with id <paramref name="id"/> is on the eval side.</summary>
    /// <exception cref="ArgumentException">The id holds no number the rule can read.</exception>
    public static bool IsEval(NumberedSplit split, string id)
    {
        long n = split == NumberedSplit.MagneticTile ? Number(NumPattern(), id) : Number(LastNumberPattern(), id);
        return split switch
        {
            NumberedSplit.Ccp => n % 4 == 0,
            NumberedSplit.MagneticTile => n % 2 == 1,
            NumberedSplit.Drive => n >= 35,
            _ => n >= 20,
        };
    }

    /// <summary>The items of <paramref name="dataset"/> on <paramref name="side"/>, in their order.</summary>
    public static ISegmentationDataset Select(ISegmentationDataset dataset, NumberedSplit split, SplitSide side)
    {
        var indices = Enumerable.Range(0, dataset.Count).Where(i => IsEval(split, dataset.Items[i].Id) == (side == SplitSide.Eval)).ToList();
        if (indices.Count == 0) throw new DatasetLayoutException(dataset.Root, $"no item of {dataset.Name} is on the {side.ToString().ToLowerInvariant()} side of the shared split");
        return new DatasetSubset(dataset, indices);
    }

    private static long Number(Regex pattern, string id)
    {
        var match = pattern.Match(id);
        if (!match.Success) throw new ArgumentException($"item id '{id}' holds no number for the shared split rule");
        return long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"num_(\d+)")]
    private static partial Regex NumPattern();

    [GeneratedRegex(@"(\d+)(?!.*\d)")]
    private static partial Regex LastNumberPattern();
}
