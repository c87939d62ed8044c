namespace Exemplar.Torch.Tests;

/// <summary>
/// Losses against PyTorch 1.13 (<c>F.cross_entropy</c>, <c>F.binary_cross_entropy_with_logits</c>) and against the
/// written-out formulas (Dice, focal losses), evaluated in float64 in Python, on small inputs some of which are checked
/// by hand. Reference/LossReferenceTests covers every loss, its options and its gradient against loss_reference.json.
/// </summary>
public class LossTests
{
    // Three samples, four classes.
    private static Tensor Logits() => Tensor.From([2f, 1f, 0.1f, -1f, 0.5f, 2.5f, 0.3f, 0f, -1f, 0f, 1f, 3f], 3, 4);

    [Fact]
    public void CrossEntropyOfEqualLogitsIsLogOfClassCount()
    {
        using var logits = Tensor.Zeros([1, 2]);
        using var target = Tensor.From([1L]);
        using var loss = Functional.CrossEntropy(logits, target);
        Check.Scalar(Math.Log(2), loss, atol: 1e-6);
    }

    [Fact]
    public void CrossEntropyPlainWithReductions()
    {
        using var logits = Logits();
        using var target = Tensor.From([0L, 1L, 3L]);
        using (var loss = Functional.CrossEntropy(logits, target)) Check.Close(loss, [], [0.30611256f], atol: 1e-6);
        using (var loss = Functional.CrossEntropy(logits, target, reduction: Reduction.None))
            Check.Close(loss, [3], [0.44931293f, 0.2838423f, 0.1851825f], atol: 1e-6);
        using (var loss = Functional.CrossEntropy(logits, target, reduction: Reduction.Sum)) Check.Close(loss, [], [0.9183377f], atol: 1e-6);
    }

    [Fact]
    public void CrossEntropyIgnoresTargets()
    {
        using var logits = Logits();
        using var withDefault = Tensor.From([0L, -100L, 2L]);
        using (var loss = Functional.CrossEntropy(logits, withDefault)) Check.Close(loss, [], [1.3172477f], atol: 1e-6); // mean of 2
        using (var loss = Functional.CrossEntropy(logits, withDefault, reduction: Reduction.None))
            Check.Close(loss, [3], [0.44931293f, 0f, 2.1851826f], atol: 1e-6);
        using var withOne = Tensor.From([0L, 1L, 1L]);
        using (var loss = Functional.CrossEntropy(logits, withOne, ignoreIndex: 1)) Check.Close(loss, [], [0.44931293f], atol: 1e-6);
    }

    [Fact]
    public void CrossEntropyWithClassWeights()
    {
        using var logits = Logits();
        using var target = Tensor.From([0L, 1L, 3L]);
        using var weights = Tensor.From([1f, 2f, 0.5f, 3f]);
        // The weighted mean divides by the sum of the targets' weights: (0.4493·1 + 0.2838·2 + 0.1852·3)/6.
        using (var loss = Functional.CrossEntropy(logits, target, weights)) Check.Close(loss, [], [0.26209083f], atol: 1e-6);
        using (var loss = Functional.CrossEntropy(logits, target, weights, reduction: Reduction.None))
            Check.Close(loss, [3], [0.44931293f, 0.5676846f, 0.5555475f], atol: 1e-6);
    }

    [Fact]
    public void CrossEntropyWithLabelSmoothing()
    {
        using var logits = Logits();
        using var target = Tensor.From([0L, 1L, 3L]);
        using (var loss = Functional.CrossEntropy(logits, target, labelSmoothing: 0.1)) Check.Close(loss, [], [0.48611253f], atol: 1e-6);
        using (var loss = Functional.CrossEntropy(logits, target, labelSmoothing: 0.2, reduction: Reduction.None))
            Check.Close(loss, [3], [0.7443129f, 0.6188423f, 0.6351825f], atol: 1e-6);
        using var weights = Tensor.From([1f, 2f, 0.5f, 3f]);
        using (var loss = Functional.CrossEntropy(logits, target, weights, labelSmoothing: 0.1)) Check.Close(loss, [], [0.40054506f], atol: 1e-6);
    }

    [Fact]
    public void CrossEntropyOverPixels()
    {
        using var r = Check.Range(24, 2, 3, 2, 2);
        using var s = r.Sin();
        using var logits = s * 2;
        using var target = Tensor.From([0L, 1L, 2L, 0L, 1L, 1L, -100L, 2L], 2, 2, 2);
        using var loss = Functional.CrossEntropy(logits, target);
        Check.Close(loss, [], [2.9100854f], atol: 1e-5);
    }

    private static Tensor BinaryLogits() => Tensor.From([-1f, 0f, 2f, 3f, -0.5f, 0.25f], 2, 3);
    private static Tensor BinaryTargets() => Tensor.From([0f, 1f, 1f, 1f, 0f, 0f], 2, 3);

    [Fact]
    public void BinaryCrossEntropyWithLogits()
    {
        using var z = BinaryLogits();
        using var y = BinaryTargets();
        // log(1 + e^−1) = 0.3132617 for (−1, 0); log 2 for (0, 1); …
        using (var loss = Functional.BinaryCrossEntropyWithLogits(z, y, reduction: Reduction.None))
            Check.Close(loss, [2, 3], [0.31326166f, 0.6931472f, 0.12692805f, 0.04858733f, 0.474077f, 0.8259394f], atol: 1e-6);
        using (var loss = Functional.BinaryCrossEntropyWithLogits(z, y)) Check.Close(loss, [], [0.41365674f], atol: 1e-6);
        using (var loss = Functional.BinaryCrossEntropyWithLogits(z, y, reduction: Reduction.Sum)) Check.Close(loss, [], [2.4819405f], atol: 1e-6);

        using var w = Tensor.From([1f, 2f, 0.5f]);
        using (var loss = Functional.BinaryCrossEntropyWithLogits(z, y, weight: w)) Check.Close(loss, [], [0.5287885f], atol: 1e-6);
        using var pw = Tensor.From([3f, 1f, 2f]);
        using (var loss = Functional.BinaryCrossEntropyWithLogits(z, y, positiveWeight: pw)) Check.Close(loss, [], [0.45100722f], atol: 1e-6);
    }

    [Fact]
    public void BinaryDiceByHand()
    {
        // p = 0.5 everywhere: Σp·t = 1, Σp = 2, Σt = 2 → dice = (2 + 1)/(4 + 1) = 0.6.
        using var logits = Tensor.Zeros([1, 4]);
        using var target = Tensor.From([1f, 0f, 1f, 0f], 1, 4);
        using (var loss = Functional.DiceLoss(logits, target)) Check.Scalar(0.4, loss, atol: 1e-6);
        // Confident and right: loss ≈ 0.
        using var sure = Tensor.From([20f, -20f, 20f, -20f], 1, 4);
        using (var loss = Functional.DiceLoss(sure, target)) Check.Scalar(0, loss, atol: 1e-6);
    }

    [Fact]
    public void BinaryDiceAveragesOverSamples()
    {
        using var logits = Tensor.From([1f, -2f, 0.5f, 3f, 0f, -1f, 2f, -3f], 2, 1, 2, 2);
        using var target = Tensor.From([1f, 0f, 1f, 1f, 0f, 0f, 1f, 1f], 2, 1, 2, 2);
        using (var loss = Functional.DiceLoss(logits, target)) Check.Scalar(0.25921357, loss, atol: 1e-6);
        using (var loss = Functional.DiceLoss(logits, target, smooth: 0)) Check.Scalar(0.32387352, loss, atol: 1e-6);
    }

    [Fact]
    public void MultiClassDiceIgnoresPixels()
    {
        // Two classes with equal logits (p = 0.5); pixels labelled 0, 1 and ignored.
        // Per class: Σp·t = 0.5, Σp = 1 (two valid pixels), Σt = 1 → dice = (1 + 1)/(2 + 1) = 2/3 → loss 1/3.
        using var logits = Tensor.Zeros([1, 2, 1, 3]);
        using var target = Tensor.From([0L, 1L, 255L], 1, 1, 3);
        using (var loss = Functional.MulticlassDiceLoss(logits, target, ignoreIndex: 255)) Check.Scalar(1.0 / 3, loss, atol: 1e-6);

        using var r = Check.Range(24, 2, 3, 2, 2);
        using var c = r.Cos();
        using var logits3 = c * 3;
        using var target3 = Tensor.From([0L, 2L, 1L, 255L, 2L, 2L, 0L, 1L], 2, 2, 2);
        using (var loss = Functional.MulticlassDiceLoss(logits3, target3, ignoreIndex: 255)) Check.Scalar(0.45273519, loss, atol: 1e-5);
        using (var loss = Functional.MulticlassDiceLoss(logits3, target3, ignoreIndex: 255, smooth: 0.5)) Check.Scalar(0.50133514, loss, atol: 1e-5);
    }

    [Fact]
    public void SigmoidFocalLossMatchesTorchvisionFormula()
    {
        using var z = BinaryLogits();
        using var y = BinaryTargets();
        using (var loss = Functional.SigmoidFocalLoss(z, y)) Check.Scalar(0.051207919, loss, atol: 1e-6);
        using (var loss = Functional.SigmoidFocalLoss(z, y, reduction: Reduction.None))
        {
            Check.Close(loss, [2, 3], [0.016993539f, 0.0433217f, 0.00045089121f, 2.732081e-05f, 0.050680127f, 0.19577394f], atol: 1e-6);
        }
        using (var loss = Functional.SigmoidFocalLoss(z, y, alpha: 0.5, gamma: 1, reduction: Reduction.Sum)) Check.Scalar(0.54578209, loss, atol: 1e-6);
        // No α weighting and γ = 0: plain binary cross-entropy.
        using (var loss = Functional.SigmoidFocalLoss(z, y, alpha: -1, gamma: 0)) Check.Scalar(0.41365674, loss, atol: 1e-6);
    }

    [Fact]
    public void FocalLossDownWeightsEasyExamplesAndIgnores()
    {
        using var logits = Logits();
        using var target = Tensor.From([0L, 1L, 3L]);
        using (var loss = Functional.FocalLoss(logits, target)) Check.Scalar(0.027161047, loss, atol: 1e-6);
        using (var loss = Functional.FocalLoss(logits, target, gamma: 0)) Check.Scalar(0.30611259, loss, atol: 1e-6); // = cross-entropy
        using (var loss = Functional.FocalLoss(logits, target, gamma: 1.5, reduction: Reduction.Sum)) Check.Scalar(0.14557339, loss, atol: 1e-6);

        using var ignored = Tensor.From([0L, -100L, 2L]);
        using (var loss = Functional.FocalLoss(logits, ignored)) Check.Scalar(0.89009839, loss, atol: 1e-6); // mean over the 2 valid
        using (var loss = Functional.FocalLoss(logits, ignored, reduction: Reduction.None))
            Check.Close(loss, [3], [0.058858164f, 0f, 1.7213386f], atol: 1e-6);
    }
}
