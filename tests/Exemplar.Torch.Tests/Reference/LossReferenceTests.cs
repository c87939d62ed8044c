namespace Exemplar.Torch.Tests.Reference;

/// <summary>
/// Every loss of <see cref="Functional"/> against loss_reference.json: the float32 value (relative 1e-5) and the
/// gradient with respect to the logits from <see cref="Tensor.Backward"/> (1e-5 relative to the gradient's largest entry).
/// </summary>
public sealed class LossReferenceTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Names() => [.. LossReference.Instance.Cases.Select(c => c.Name)];

    [Fact]
    public void ComesFromPyTorch113AndCoversEveryLoss()
    {
        var reference = LossReference.Instance;
        Assert.StartsWith("1.13", reference.TorchVersion, StringComparison.Ordinal);
        Assert.Equal(["bce_with_logits", "cross_entropy", "dice", "focal", "multiclass_dice", "sigmoid_focal"],
            reference.Cases.Select(c => c.Kind).Distinct().Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ValueAndGradientMatchPyTorch(string name)
    {
        var c = LossReference.Instance.Case(name);
        using var scope = DisposeScope.Begin();
        var logits = Tensor.From(c.Logits, c.LogitsShape).RequiresGrad_();
        var target = c.TargetTensor();
        var loss = Evaluate(c, logits, target);

        Assert.Equal(DType.Float32, loss.DType);
        Assert.Equal(c.ValueShape, loss.Shape);
        // Relative error, with the floor at a millionth of the largest value so that exact zeros (ignored pixels) and
        // underflowing values (log1p(e^−100)) are judged by an absolute error far below float32's resolution of the rest.
        AssertClose("value", c.Value, loss.Detach().ToArray<float>(), floor: 1e-6 * Math.Max(MaxAbs(c.Value), 1e-30));

        if (c.GradOutput is null) loss.Backward();
        else loss.Backward(Tensor.From(c.GradOutput, c.ValueShape));
        var grad = logits.Grad ?? throw new InvalidOperationException("no gradient reached the logits");
        Assert.Equal(c.LogitsShape, grad.Shape);
        // Entries of a gradient are sums of terms of the size of its largest entry: float32 resolves them only to that.
        AssertClose("gradient", c.Grad, grad.ToArray<float>(), floor: MaxAbs(c.Grad));
    }

    private static Tensor Evaluate(LossCase c, Tensor logits, Tensor target)
    {
        var o = c.Options;
        switch (c.Kind)
        {
            case "cross_entropy":
                var classWeights = o.ClassWeights is null ? null : Tensor.From(o.ClassWeights, o.ClassWeights.Length);
                return Functional.CrossEntropy(logits, target, classWeights, o.IgnoreIndex!.Value, o.LabelSmoothing!.Value, o.ReductionValue);
            case "bce_with_logits":
                var weight = o.Weight is null ? null : Tensor.From(o.Weight, o.WeightShape!);
                var posWeight = o.PosWeight is null ? null : Tensor.From(o.PosWeight, o.PosWeightShape!);
                return Functional.BinaryCrossEntropyWithLogits(logits, target, weight, posWeight, o.ReductionValue);
            case "dice":
                return Functional.DiceLoss(logits, target, o.Smooth!.Value);
            case "multiclass_dice":
                return Functional.MulticlassDiceLoss(logits, target, o.IgnoreIndex!.Value, o.Smooth!.Value);
            case "sigmoid_focal":
                return Functional.SigmoidFocalLoss(logits, target, o.Alpha!.Value, o.Gamma!.Value, o.ReductionValue);
            case "focal":
                return Functional.FocalLoss(logits, target, o.Gamma!.Value, o.IgnoreIndex!.Value, o.ReductionValue);
            default:
                throw new InvalidOperationException($"unknown loss '{c.Kind}'");
        }
    }

    private static double MaxAbs(double[] values) => values.Length == 0 ? 0 : values.Max(Math.Abs);

    private static void AssertClose(string what, double[] expected, float[] actual, double floor)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), floor);
            Assert.True(error <= Tolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (relative error {error:E2})");
        }
    }
}
