using Exemplar.Torch;
using Exemplar.Training.Losses;

namespace Exemplar.Training.Tests.Losses;

/// <summary>
/// <see cref="SegmentationLoss"/> against PyTorch 1.13 (weighted sums of F.cross_entropy and the documented Dice and
/// focal formulas, float64): total and terms within 1e-5 relative, the logits' gradient within 1e-5 of its largest entry.
/// </summary>
public sealed class SegmentationLossTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Names() => [.. SegmentationLossReference.Instance.Cases.Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name)
    {
        var reference = SegmentationLossReference.Instance;
        var c = reference.Case(name);
        using var scope = DisposeScope.Begin();
        var logits = Tensor.From(reference.Logits, reference.LogitsShape).RequiresGrad_();
        var target = Tensor.From(reference.Target, reference.TargetShape);

        using var terms = new SegmentationLoss(c.Options.ToOptions()).Compute(logits, target);

        Assert.Equal(c.Terms.Keys.Order(StringComparer.Ordinal), terms.Values.Keys.Order(StringComparer.Ordinal));
        foreach (var (term, expected) in c.Terms) Assert.True(RelativeError.Of(terms.Values[term], expected, 1e-30) <= Tolerance, $"{term}: expected {expected:R}, got {terms.Values[term]:R}");
        Assert.Empty(terms.Total.Shape);
        Assert.True(terms.Total.RequiresGrad);
        Assert.True(RelativeError.Of(terms.Total.ToDouble(), c.Total, 1e-30) <= Tolerance, $"total: expected {c.Total:R}, got {terms.Total.ToDouble():R}");

        terms.Total.Backward();
        var grad = (logits.Grad ?? throw new InvalidOperationException("no gradient reached the logits")).ToArray<float>();
        double scale = c.Grad.Max(Math.Abs);
        for (int i = 0; i < grad.Length; i++)
            Assert.True(RelativeError.Of(grad[i], c.Grad[i], scale) <= Tolerance, $"gradient[{i}]: expected {c.Grad[i]:R}, got {grad[i]:R}");
    }

    [Fact]
    public void DefaultsAreCrossEntropyIgnoring255()
    {
        var options = new SegmentationLossOptions();
        Assert.Equal((1.0, 0.0, 0.0, 2.0, 255L, 0.0, 1.0), (options.CrossEntropyWeight, options.DiceWeight, options.FocalWeight,
            options.FocalGamma, options.IgnoreIndex, options.LabelSmoothing, options.DiceSmooth));
        Assert.Null(options.ClassWeights);

        using var scope = DisposeScope.Begin();
        var logits = Tensor.Zeros([1, 2, 1, 3]);
        var target = Tensor.From([0L, 1L, 255L], 1, 1, 3);
        using var terms = new SegmentationLoss(options).Compute(logits, target);
        Assert.Equal([LossTerms.CrossEntropy], terms.Values.Keys);
        Assert.Equal(Math.Log(2), terms.Values[LossTerms.CrossEntropy], 6);
    }

    [Fact]
    public void LogitsAtAnotherResolutionNameBothShapes()
    {
        using var scope = DisposeScope.Begin();
        var logits = Tensor.Zeros([2, 4, 8, 8]);
        var target = Tensor.Zeros([2, 32, 32], DType.Int64);
        var e = Assert.Throws<ArgumentException>(() => new SegmentationLoss(new SegmentationLossOptions()).Compute(logits, target));
        Assert.Contains("[2, 4, 8, 8]", e.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 32, 32]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesOtherRanksDtypesAndClassCounts()
    {
        using var scope = DisposeScope.Begin();
        var loss = new SegmentationLoss(new SegmentationLossOptions());
        var target = Tensor.Zeros([2, 8, 8], DType.Int64);
        Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 4, 64]), target));
        Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 4, 8, 8], DType.Int64), target));
        Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([2, 4, 8, 8]), Tensor.Zeros([2, 8, 8])));
        Assert.Throws<ArgumentException>(() => loss.Compute(Tensor.Zeros([3, 4, 8, 8]), target));

        var weighted = new SegmentationLoss(new SegmentationLossOptions { ClassWeights = [1, 2, 3] });
        var e = Assert.Throws<ArgumentException>(() => weighted.Compute(Tensor.Zeros([2, 4, 8, 8]), target));
        Assert.Contains(nameof(SegmentationLossOptions.ClassWeights), e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, SegmentationLossOptions> InvalidOptions() => new()
    {
        { nameof(SegmentationLossOptions.CrossEntropyWeight), new() { CrossEntropyWeight = -1 } },
        { nameof(SegmentationLossOptions.DiceWeight), new() { DiceWeight = -0.5 } },
        { nameof(SegmentationLossOptions.FocalWeight), new() { FocalWeight = double.NaN } },
        { nameof(SegmentationLossOptions.DiceWeight), new() { DiceWeight = double.PositiveInfinity } },
        { nameof(SegmentationLossOptions.CrossEntropyWeight), new() { CrossEntropyWeight = 0 } },
        { nameof(SegmentationLossOptions.FocalGamma), new() { FocalWeight = 1, FocalGamma = -2 } },
        { nameof(SegmentationLossOptions.LabelSmoothing), new() { LabelSmoothing = 1.5 } },
        { nameof(SegmentationLossOptions.LabelSmoothing), new() { LabelSmoothing = -0.1 } },
        { nameof(SegmentationLossOptions.DiceSmooth), new() { DiceWeight = 1, DiceSmooth = 0 } },
        { nameof(SegmentationLossOptions.ClassWeights), new() { ClassWeights = [] } },
        { nameof(SegmentationLossOptions.ClassWeights), new() { ClassWeights = [1, -1] } },
        { nameof(SegmentationLossOptions.ClassWeights), new() { ClassWeights = [0, 0, 0] } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void InvalidOptionsAreNamed(string option, SegmentationLossOptions options)
    {
        var e = Assert.Throws<ArgumentException>(() => new SegmentationLoss(options));
        Assert.Equal(option, e.ParamName);
        Assert.Contains(option, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AllIgnoredBatchGivesZeroCrossEntropyWhereTorchGivesNaN()
    {
        using var scope = DisposeScope.Begin();
        var logits = Tensor.From([0.5f, -1f, 2f, 0f, 1f, -2f], 1, 2, 1, 3).RequiresGrad_();
        var target = Tensor.From([255L, 255L, 255L], 1, 1, 3);
        Assert.True(double.IsNaN(Functional.CrossEntropy(logits, target, ignoreIndex: 255).ToDouble()));

        var options = new SegmentationLossOptions { DiceWeight = 1, FocalWeight = 1, ClassWeights = [1, 2], LabelSmoothing = 0.1 };
        using var terms = new SegmentationLoss(options).Compute(logits, target);
        Assert.All(terms.Values.Values, v => Assert.Equal(0, v));
        terms.Total.Backward();
        Assert.All(logits.Grad!.ToArray<float>(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void DisposingTheTermsDisposesTheTotal()
    {
        using var scope = DisposeScope.Begin();
        var terms = new SegmentationLoss(new SegmentationLossOptions { DiceWeight = 0.5 })
            .Compute(Tensor.Zeros([1, 3, 2, 2]), Tensor.Zeros([1, 2, 2], DType.Int64));
        terms.Dispose();
        Assert.True(terms.Total.IsDisposed);
    }
}
