using Exemplar.InContext.Evaluation;
using Exemplar.InContext.Training;
using Exemplar.Models.Zoo;
using Exemplar.Torch;
using Exemplar.Vision.Datasets;

namespace Exemplar.InContext.Tests.Training;

/// <summary>Training episodes from the train sides of the shared data sets.</summary>
public sealed class EpisodeTrainingDataTests
{
    private static EvaluationDataset Spec(DatasetKind kind, string folder) => new(kind, SharedFolder.PathOf(folder));

    [SharedFact("data/davis2016-train/JPEGImages/480p/bear/00000.jpg", "data/isbi2012/images/0.png")]
    public void BatchesAreReproducibleAndShowTheirClass()
    {
        using var encoder = ModelZoo.Get("mobilenetv2").Create();
        var davis = EpisodeSource.Open(Spec(DatasetKind.Davis2016, "data/davis2016-train"));
        Assert.Equal(30, davis.Groups.Count);                                                 // one group per training sequence
        Assert.DoesNotContain(davis.Groups, g => g.Name == "bmx-trees");                      // a val sequence
        var isbi = EpisodeSource.Open(Spec(DatasetKind.Isbi2012, "data/isbi2012"));
        Assert.All(isbi.Groups, g => Assert.All(g.Items, i => Assert.False(SharedSplits.IsEval(NumberedSplit.Isbi2012, g.Dataset.Items[i].Id))));

        var options = new EpisodeSamplingOptions { EpisodesPerBatch = 3, MinShots = 2, MaxShots = 2, BatchesPerEpoch = 5, Views = 24 };
        int[] levels = [10, 17];
        using var data = new EpisodeTrainingData([davis, isbi], encoder, levels, 128, options, seed: 7);
        Assert.Equal(24, data.ViewCount);
        using var scope = DisposeScope.Begin();
        using var a = data.Draw(1, 3);
        using var again = data.Draw(1, 3);
        using var other = data.Draw(1, 4);
        Assert.Equal(2, a.Maps.Count);
        Assert.Equal([3L * 3, 64, 8, 8], a.Maps[0].Shape);                                   // block 10: stride 16
        Assert.Equal([3L * 3, 320, 4, 4], a.Maps[1].Shape);
        Assert.Equal([6L, 1, 128, 128], a.ExampleMasks.Shape);
        Assert.Equal([3L, 1, 128, 128], a.TargetMasks.Shape);
        Assert.Equal(2, a.Shots);
        Assert.True(a.Maps[0].Equal(again.Maps[0]) && a.TargetMasks.Equal(again.TargetMasks) && a.ExampleMasks.Equal(again.ExampleMasks));
        Assert.False(a.Maps[0].Equal(other.Maps[0]));
        // A second pool from the same seed is the same pool.
        using var twin = new EpisodeTrainingData([davis, isbi], encoder, levels, 128, options, seed: 7);
        using var b = twin.Draw(1, 3);
        Assert.True(a.Maps[1].Equal(b.Maps[1]) && a.Guides.Equal(b.Guides));
        // Every example shows its class (crops that lose it are drawn again) and only labelled pixels count.
        var examplePixels = (a.ExampleMasks * a.ExampleLabelled).Flatten(1).Sum([1]);
        Assert.True(examplePixels.Min().ToDouble() >= 1, "an example without its class");
        Assert.True((a.TargetMasks * (1.0 - a.TargetLabelled)).Sum().ToDouble() < 1e-6, "a target's class outside its labelled area");
        Assert.Equal(5, data.ReadEpoch(0, 2, CancellationToken.None).Select(b => { b.Dispose(); return 1; }).Sum() + 2);

        // Negative episodes: targets from the other data set, with nothing to find.
        using var negatives = new EpisodeTrainingData([davis, isbi], encoder, levels, 128, options with { Negatives = 1 }, seed: 7);
        using var n = negatives.Draw(1, 3);
        Assert.Equal(0, n.TargetMasks.Sum().ToDouble());
        Assert.True(n.ExampleMasks.Flatten(1).Sum([1]).Min().ToDouble() >= 1);
        Assert.Null(n.TargetPriors);

        // With priors (a propagation decoder's), the same episodes, each target with a prior near its own mask; a
        // negative target's prior is not empty (an example's mask), so an empty prior never means "absent".
        using var withPriors = new EpisodeTrainingData([davis, isbi], encoder, levels, 128, options with { Negatives = 1 }, seed: 7, priors: true);
        using var p = withPriors.Draw(1, 3);
        Assert.True(p.Maps[0].Equal(n.Maps[0]) && p.TargetMasks.Equal(n.TargetMasks) && p.ExampleMasks.Equal(n.ExampleMasks));
        Assert.Equal([3L, 1, 128, 128], p.TargetPriors!.Shape);
        Assert.True(p.TargetPriors.Flatten(1).Sum([1]).Min().ToDouble() >= 1);
        // Unperturbed, a positive target's prior is its own mask.
        using var positive = new EpisodeTrainingData([davis], encoder, levels, 128, options with { PriorShift = 0, PriorMorphology = 0, PriorDropout = 0 }, seed: 7, priors: true);
        using var q = positive.Draw(0, 1);
        Assert.True(q.TargetPriors!.Equal(q.TargetMasks));
    }

    [Fact]
    public void PriorMasksMoveAndReshapeTheMaskWithinTheirBounds()
    {
        using var scope = DisposeScope.Begin();
        var mask = Tensor.Zeros([1, 128, 128], dtype: DType.UInt8);
        mask.Narrow(1, 54, 20).Narrow(2, 54, 20).Fill_(1);                                   // a 20x20 square: √area 20
        var random = new Random(3);
        var none = new EpisodeSamplingOptions { PriorShift = 0, PriorMorphology = 0, PriorDropout = 0 };
        Assert.True(EpisodeTrainingData.PriorMask(mask, none, random).Equal(mask));
        Assert.Equal(0, EpisodeTrainingData.PriorMask(mask, none with { PriorDropout = 1 }, random).Sum().ToDouble());

        // Shifts (up to 0.5 · 20 = 10 pixels each way) keep the square whole; some move it.
        int moved = 0;
        for (int i = 0; i < 20; i++)
        {
            var shifted = EpisodeTrainingData.PriorMask(mask, none with { PriorShift = 0.5 }, random);
            Assert.Equal(400, shifted.Sum().ToDouble());
            var rows = shifted.Squeeze(0).Amax([1]).ToArray<byte>();
            var cols = shifted.Squeeze(0).Amax([0]).ToArray<byte>();
            int top = Array.IndexOf(rows, (byte)1), left = Array.IndexOf(cols, (byte)1);
            Assert.InRange(top, 44, 64);
            Assert.InRange(left, 44, 64);
            if (top != 54 || left != 54) moved++;
        }
        Assert.True(moved > 10);

        // Dilation or erosion by up to 0.25 · 20 = 5 pixels: a square from 10x10 to 30x30 around the same centre.
        bool grew = false, shrank = false;
        for (int i = 0; i < 20; i++)
        {
            var reshaped = EpisodeTrainingData.PriorMask(mask, none with { PriorMorphology = 0.25 }, random);
            double area = reshaped.Sum().ToDouble(), side = Math.Sqrt(area);
            Assert.Equal(Math.Round(side), side);
            Assert.InRange(side, 10, 30);
            Assert.Equal(1, reshaped.Select(1, 63).Select(1, 63).ToDouble());
            grew |= side > 20;
            shrank |= side < 20;
        }
        Assert.True(grew && shrank);
    }

    [SharedFact("data/coco-mini/annotations/instances_train2017.json", "data/davis2016-train/JPEGImages/480p/bear/00000.jpg")]
    public void SameSourceNegativesAreViewsWithoutTheClass()
    {
        using var encoder = ModelZoo.Get("mobilenetv2").Create();
        var options = new EpisodeSamplingOptions { EpisodesPerBatch = 4, MinShots = 1, MaxShots = 1, BatchesPerEpoch = 2, Views = 24, Negatives = 1, SameSourceNegatives = 1 };
        int[] levels = [17];
        using var scope = DisposeScope.Begin();
        // COCO alone: every target is a view of another COCO image without the episode's class (one source, no other
        // data set to take negatives from).
        using var coco = new EpisodeTrainingData([EpisodeSource.Open(Spec(DatasetKind.CocoMini, "data/coco-mini"))], encoder, levels, 128, options, seed: 3);
        using var negatives = coco.Draw(0, 0);
        Assert.Equal(0, negatives.TargetMasks.Sum().ToDouble());
        Assert.True(negatives.ExampleMasks.Flatten(1).Sum([1]).Min().ToDouble() >= 1);
        // For every class: the negative's crop shows none of it.
        var random = new Random(5);
        foreach (long label in coco.GroupLabels(0))
        {
            int view = coco.NegativeTarget(0, label, random) ?? throw new Xunit.Sdk.XunitException($"no negative for class {label}");
            Assert.DoesNotContain(label, coco.LabelsOf(view));
        }
        // DAVIS labels every sequence's object 1: another sequence may show the same kind of thing, so it gives none.
        using var davis = new EpisodeTrainingData([EpisodeSource.Open(Spec(DatasetKind.Davis2016, "data/davis2016-train"))], encoder, levels, 128, options, seed: 3);
        Assert.Null(davis.NegativeTarget(0, 1, random));
        using var positives = davis.Draw(0, 0);
        Assert.True(positives.TargetMasks.Flatten(1).Sum([1]).Min().ToDouble() >= 1, "a DAVIS target without its object");
    }

    [SharedFact("data/coco-mini/annotations/instances_train2017.json")]
    public void AHeldOutCocoFoldFormsNoGroup()
    {
        var spec = Spec(DatasetKind.CocoMini, "data/coco-mini");
        var all = EpisodeSource.Open(spec);
        var withoutFold = EpisodeSource.Open(spec, heldOutFold: 1);
        var test = Exemplar.Vision.Episodes.Coco20iEpisodes.TestLabels(1);
        Assert.Contains(all.Groups, g => test.Contains(g.Label));
        Assert.DoesNotContain(withoutFold.Groups, g => test.Contains(g.Label));
        Assert.Equal(all.Groups.Count(g => !test.Contains(g.Label)), withoutFold.Groups.Count);
        Assert.Contains("without COCO-20i fold 1", withoutFold.Name);
        // Other kinds have no COCO folds: the fold changes nothing.
        Assert.Equal(EpisodeSource.Open(Spec(DatasetKind.Isbi2012, "data/isbi2012")).Groups.Count,
            EpisodeSource.Open(Spec(DatasetKind.Isbi2012, "data/isbi2012"), heldOutFold: 1).Groups.Count);
    }

    [Fact]
    public void SharedSplitRulesFollowTheTable()
    {
        Assert.True(SharedSplits.IsEval(NumberedSplit.Ccp, "0004"));
        Assert.False(SharedSplits.IsEval(NumberedSplit.Ccp, "0006"));
        Assert.True(SharedSplits.IsEval(NumberedSplit.MagneticTile, "MT_Crack/exp3_num_171"));
        Assert.False(SharedSplits.IsEval(NumberedSplit.MagneticTile, "MT_Crack/exp3_num_172"));
        Assert.False(SharedSplits.IsEval(NumberedSplit.Drive, "training/34"));
        Assert.True(SharedSplits.IsEval(NumberedSplit.Drive, "training/35"));
        Assert.False(SharedSplits.IsEval(NumberedSplit.Isbi2012, "19"));
        Assert.True(SharedSplits.IsEval(NumberedSplit.Isbi2012, "20"));
        var error = Assert.Throws<ArgumentException>(() => SharedSplits.IsEval(NumberedSplit.MagneticTile, "MT_Crack/exp3"));
        Assert.Contains("MT_Crack/exp3", error.Message);
    }

    [SharedFact("data/ccp/labels.json", "data/drive/training/images/21.png")]
    public void EvaluationUsesOnlyTheEvalSide()
    {
        var ccp = Spec(DatasetKind.Ccp, "data/ccp");
        var eval = ccp.OpenDataset(SplitSide.Eval);
        var train = ccp.OpenDataset(SplitSide.Train);
        Assert.Equal(new CcpDataset(ccp.Root).Count, eval.Count + train.Count);
        Assert.All(eval.Items, i => Assert.Equal(0, int.Parse(i.Id, System.Globalization.CultureInfo.InvariantCulture) % 4));
        var (opened, episodes) = ccp.Open(new EpisodeOptions(1, 10));
        Assert.All(episodes.Episodes, e => Assert.True(SharedSplits.IsEval(NumberedSplit.Ccp, e.Query.Id)));
        Assert.Equal(6, Spec(DatasetKind.Drive, "data/drive").OpenDataset(SplitSide.Eval).Count);
        Assert.Throws<ArgumentException>(() => Spec(DatasetKind.PerSeg, "data/samples/perseg").OpenDataset(SplitSide.Train));
        Assert.Equal(eval.Count, opened.Count);
    }
}
