namespace Exemplar.Torch.Tests;

/// <summary>LayerNorm, BatchNorm (training and eval), GroupNorm, Softmax/LogSoftmax, CosineSimilarity, Normalize.</summary>
public class NormalizationTests
{
    [Fact]
    public void LayerNormOverLastDim()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f, 2f, 2f, 2f, 6f], 2, 4);
        // Row 0: mean 2.5, variance 1.25 → (x − 2.5)/√1.25 = ±1.3416, ±0.4472.
        // Row 1: mean 3, variance 3 → −1/√3 three times, 3/√3.
        using (var y = Functional.LayerNorm(x, [4]))
        {
            Check.Close(y, [2, 4], [-1.3416355f, -0.44721186f, 0.4472118f, 1.3416355f, -0.5773493f, -0.5773493f, -0.5773493f, 1.7320479f], atol: 1e-5);
        }
        using var w = Tensor.From([1f, 2f, 0.5f, -1f]);
        using var b = Tensor.From([0f, 1f, 0f, 0.5f]);
        using (var y = Functional.LayerNorm(x, [4], w, b))
        {
            Check.Close(y, [2, 4], [-1.3416355f, 0.10557628f, 0.2236059f, -0.84163547f, -0.5773493f, -0.15469861f, -0.28867465f, -1.2320479f], atol: 1e-5);
        }
    }

    [Fact]
    public void LayerNormOverTwoDims()
    {
        using var x = Check.Range(12, 1, 3, 4);
        using var y = Functional.LayerNorm(x, [3, 4]);
        Assert.Equal([1L, 3, 4], y.Shape);
        Check.Close([-1.5932543f, -1.3035717f, -1.0138891f, -0.72420657f], y.ToArray<float>()[..4], atol: 1e-5);
        using var mean = y.Mean();
        using var std = y.Std(unbiased: false);
        Check.Scalar(0, mean, atol: 1e-6);
        Check.Scalar(1, std, atol: 1e-4);
    }

    [Fact]
    public void BatchNormTrainingUsesBatchStatisticsAndUpdatesRunningStats()
    {
        // N = 4, C = 2: channel 0 holds 1, 3, 5, 7 (mean 4, variance 5, unbiased 20/3); channel 1 holds 2, 4, 6, 8 (mean 5).
        using var x = Tensor.From([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f], 4, 2);
        using var runningMean = Tensor.Zeros([2]);
        using var runningVar = Tensor.Ones([2]);
        using var w = Tensor.From([1f, 2f]);
        using var b = Tensor.From([0f, 1f]);
        using (var y = Functional.BatchNorm(x, runningMean, runningVar, w, b, training: true, momentum: 0.1))
        {
            // (x − mean)/√(5 + 1e-5), then ·w + b.
            Check.Close(y, [4, 2], [-1.3416394f, -1.6832789f, -0.44721314f, 0.10557365f, 0.44721314f, 1.8944262f, 1.3416394f, 3.6832788f], atol: 1e-5);
        }
        // running = 0.9·running + 0.1·batch (the variance unbiased).
        Check.Close(runningMean, [2], [0.4f, 0.5f], atol: 1e-6);
        Check.Close(runningVar, [2], [0.9f + 0.1f * 20 / 3, 0.9f + 0.1f * 20 / 3], atol: 1e-5);

        // Eval mode normalises with the running statistics and leaves them alone.
        using (var y = Functional.BatchNorm(x, runningMean, runningVar, training: false))
        {
            Check.Close(y, [4, 2], [0.47935975f, 1.1983993f, 2.0772257f, 2.7962651f, 3.6750913f, 4.394131f, 5.2729573f, 5.9919968f], atol: 1e-5);
        }
        Check.Close(runningMean, [2], [0.4f, 0.5f], atol: 1e-6);
    }

    [Fact]
    public void BatchNormOverImagesWithMomentum()
    {
        using var x = Check.Range(16, 2, 2, 2, 2);
        using var runningMean = Tensor.Zeros([2]);
        using var runningVar = Tensor.Ones([2]);
        using var y = Functional.BatchNorm(x, runningMean, runningVar, training: true, momentum: 0.5);
        Assert.Equal([2L, 2, 2, 2], y.Shape);
        Check.Close([-1.324244f, -1.0834724f, -0.8427007f, -0.6019291f], y.ToArray<float>()[..4], atol: 1e-5);
        Check.Close(runningMean, [2], [2.75f, 4.75f], atol: 1e-5);
        Check.Close(runningVar, [2], [10.357142f, 10.357142f], atol: 1e-4);
    }

    [Fact]
    public void BatchNormEvalWithoutRunningStatsFails()
    {
        using var x = Tensor.Ones([2, 2]);
        var e = Assert.Throws<TorchException>(() => Functional.BatchNorm(x, null, null, training: false));
        Assert.Contains("running_mean", e.Message);
    }

    [Fact]
    public void GroupNormNormalisesGroupsOfChannels()
    {
        using var x = Check.Range(16, 1, 4, 2, 2);
        // Two groups of two channels: values 0..7 and 8..15, each with mean 3.5 (+8) and variance 5.25.
        float[] normalised = [-1.5275238f, -1.0910884f, -0.65465307f, -0.21821769f, 0.21821769f, 0.65465307f, 1.0910884f, 1.5275238f];
        using (var y = Functional.GroupNorm(x, 2))
        {
            Check.Close(y, [1, 4, 2, 2], [.. normalised, .. normalised], atol: 1e-5);
        }
        using var w = Tensor.From([1f, 2f, 3f, 4f]);
        using var b = Tensor.From([0f, 0f, 1f, 1f]);
        using (var y = Functional.GroupNorm(x, 2, w, b))
        {
            Check.Close(y, [1, 4, 2, 2],
                [-1.5275238f, -1.0910884f, -0.654653f, -0.21821764f, 0.43643546f, 1.3093061f, 2.182177f, 3.0550478f,
                 -3.582571f, -2.2732649f, -0.9639587f, 0.3453474f, 1.8728709f, 3.6186123f, 5.364354f, 7.1100955f], atol: 1e-5);
        }
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        using var s = Tensor.From([1f, 2f, 3f, 1f, 1f, 1f], 2, 3);
        using (var y = Functional.Softmax(s, 1))
            Check.Close(y, [2, 3], [0.09003057f, 0.24472848f, 0.66524094f, 1f / 3, 1f / 3, 1f / 3], atol: 1e-6);
        using (var y = Functional.LogSoftmax(s, -1))
            Check.Close(y, [2, 3], [-2.407606f, -1.407606f, -0.40760595f, -1.0986123f, -1.0986123f, -1.0986123f], atol: 1e-6);
        using (var y = Functional.Softmax(s, 0))
            Check.Close(y, [2, 3], [0.5f, 0.7310586f, 0.880797f, 0.5f, 0.26894143f, 0.11920292f], atol: 1e-6);
        using (var y = Functional.Softmax(s, 1, DType.Float64))
        {
            Assert.Equal(DType.Float64, y.DType);
            using var sums = y.Sum(1);
            Check.Close(sums, [2], [1.0, 1.0], atol: 1e-12);
        }
    }

    [Fact]
    public void SoftmaxIsStableForLargeLogits()
    {
        using var s = Tensor.From([1000f, 1000f, -1000f]);
        using var y = Functional.Softmax(s, 0);
        Check.Close(y, [3], [0.5f, 0.5f, 0f], atol: 1e-7);
    }

    [Fact]
    public void CosineSimilarityAlongDim()
    {
        using var a = Tensor.From([1f, 0f, 0f, 1f, 1f, 0f], 2, 3);
        using var c = Tensor.From([0f, 1f, 0f, 2f, 2f, 0f], 2, 3);
        using (var y = Functional.CosineSimilarity(a, c)) Check.Close(y, [2], [0f, 1f], atol: 1e-6);
        using var p = Tensor.From([3f, 4f], 1, 2);
        using var q = Tensor.From([4f, 3f], 1, 2);
        using (var y = Functional.CosineSimilarity(p, q)) Check.Close(y, [1], [0.96f], atol: 1e-6); // 24/25
        using var qs = Tensor.From([4f, 3f, -3f, -4f], 2, 2);
        using (var y = Functional.CosineSimilarity(p, qs, dim: 1)) Check.Close(y, [2], [0.96f, -1f], atol: 1e-6); // broadcast: [3, 4]·[-3, -4] = −25
    }

    [Fact]
    public void NormalizeDividesByNormWithEpsilon()
    {
        using var x = Tensor.From([3f, 4f, 0f, 0f], 2, 2);
        using (var y = Functional.Normalize(x)) Check.Close(y, [2, 2], [0.6f, 0.8f, 0f, 0f], atol: 1e-6); // zero row stays zero
        using var z = Tensor.From([3f, 4f, 1f, -1f], 2, 2);
        using (var y = Functional.Normalize(z, p: 1, dim: 0)) Check.Close(y, [2, 2], [0.75f, 0.8f, 0.25f, -0.2f], atol: 1e-6);
    }
}
