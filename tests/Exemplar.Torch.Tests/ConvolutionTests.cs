namespace Exemplar.Torch.Tests;

/// <summary>Functional convolutions, pooling, and im2col/col2im.</summary>
public class ConvolutionTests
{
    // [[ 0,  1,  2,  3],
    //  [ 4,  5,  6,  7],
    //  [ 8,  9, 10, 11],
    //  [12, 13, 14, 15]] as [1, 1, 4, 4]
    private static Tensor Image4() => Check.Range(16, 1, 1, 4, 4);

    [Fact]
    public void Conv2dWithBiasStrideAndPaddingByHand()
    {
        using var x = Image4();
        // Channel 0 sums the 3×3 window; channel 1 computes 2·centre − bottom-right neighbour.
        using var w = Tensor.From([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 2f, 0f, 0f, 0f, -1f], 2, 1, 3, 3);
        using var b = Tensor.From([0.5f, -1f]);
        using var y = Functional.Conv2d(x, w, b, stride: 2, padding: 1);
        // Windows centred on (0,0), (0,2), (2,0), (2,2), zero padded:
        //   sums: 0+1+4+5 = 10, 1+2+3+5+6+7 = 24, 4+5+8+9+12+13 = 51, 5+6+7+9+10+11+13+14+15 = 90
        //   2·c − n: 0−5 = −5, 4−7 = −3, 16−13 = 3, 20−15 = 5; then the biases 0.5 and −1 are added
        Check.Close(y, [1, 2, 2, 2], [10.5f, 24.5f, 51.5f, 90.5f, -6f, -4f, 2f, 4f], atol: 1e-5);
    }

    [Fact]
    public void Conv2dWithoutBiasIsACorrelation()
    {
        using var x = Image4();
        using var w = Tensor.From([1f, 0f, 0f, -1f], 1, 1, 2, 2);
        using var y = Functional.Conv2d(x, w);
        // x[i][j] − x[i+1][j+1] = −5 everywhere.
        Check.Close(y, [1, 1, 3, 3], [-5f, -5f, -5f, -5f, -5f, -5f, -5f, -5f, -5f], atol: 0);
    }

    [Fact]
    public void Conv2dWithPerAxisStrideAndPadding()
    {
        using var x = Check.Range(30, 1, 2, 3, 5);
        using var w0 = Check.Range(24, 3, 2, 2, 2);
        using var w = w0 / 10;
        using var y = Functional.Conv2d(x, w, null, stride: (1, 2), padding: (0, 1), dilation: (1, 1));
        Check.Close(y, [1, 3, 2, 3],
            [23f, 46.4f, 52f, 31f, 60.4f, 66f, 55f, 120f, 138.4f, 79f, 166f, 184.4f, 87f, 193.6f, 224.8f, 127f, 271.6f, 302.8f], atol: 1e-4);
    }

    [Fact]
    public void Conv2dWithGroupsAndDilation()
    {
        using var x = Check.Range(30, 1, 2, 3, 5);
        using var w = Tensor.From([0f, 0.1f, 0.2f, 0.3f, 0.8f, 0.9f, 1f, 1.1f], 2, 1, 2, 2);
        using (var y = Functional.Conv2d(x, w, groups: 2))
        {
            Check.Close(y, [1, 2, 2, 4], [2.9f, 3.5f, 4.1f, 4.7f, 5.9f, 6.5f, 7.1f, 7.7f, 69.5f, 73.3f, 77.1f, 80.9f, 88.5f, 92.3f, 96.1f, 99.9f], atol: 1e-4);
        }
        using var ones = Tensor.Ones([1, 2, 2, 2]);
        using (var y = Functional.Conv2d(x, ones, dilation: 2))
        {
            // Taps (0,0), (0,2), (2,0), (2,2) of both channels: 0+2+10+12 + 15+17+25+27 = 108 at the first position.
            Check.Close(y, [1, 1, 1, 3], [108f, 116f, 124f], atol: 0);
        }
    }

    [Fact]
    public void ConvTranspose2dScattersKernelCopies()
    {
        using var x = Tensor.From([1f, 2f, 3f, 4f], 1, 1, 2, 2);
        using var ones = Tensor.Ones([1, 1, 2, 2]);
        using var bias = Tensor.From([1f]);
        // Stride 2 with a 2×2 kernel of ones: each input pixel becomes a 2×2 block (plus the bias).
        using (var y = Functional.ConvTranspose2d(x, ones, bias, stride: 2))
        {
            Check.Close(y, [1, 1, 4, 4], [2f, 2f, 3f, 3f, 2f, 2f, 3f, 3f, 4f, 4f, 5f, 5f, 4f, 4f, 5f, 5f], atol: 0);
        }
        // Stride 1: overlapping blocks add up.
        using (var y = Functional.ConvTranspose2d(x, ones))
        {
            Check.Close(y, [1, 1, 3, 3], [1f, 3f, 2f, 4f, 10f, 6f, 3f, 7f, 4f], atol: 0);
        }
        using var k = Tensor.From([1f, 2f, 3f, 4f], 1, 1, 2, 2);
        using (var y = Functional.ConvTranspose2d(x, k, stride: 2, padding: 1, outputPadding: 1))
        {
            Check.Close(y, [1, 1, 3, 3], [4f, 6f, 8f, 6f, 4f, 8f, 12f, 12f, 16f], atol: 0);
        }
        using var twoOut = Tensor.Ones([1, 2, 2, 2]);
        using (var y = Functional.ConvTranspose2d(x, twoOut)) Assert.Equal([1L, 2, 3, 3], y.Shape);
    }

    [Fact]
    public void MaxPool2d()
    {
        using var x = Image4();
        using (var y = Functional.MaxPool2d(x, 2)) Check.Close(y, [1, 1, 2, 2], [5f, 7f, 13f, 15f], atol: 0);
        using (var y = Functional.MaxPool2d(x, 2, stride: 1)) Check.Close(y, [1, 1, 3, 3], [5f, 6f, 7f, 9f, 10f, 11f, 13f, 14f, 15f], atol: 0);
        using (var y = Functional.MaxPool2d(x, 3, stride: 2, padding: 1)) Check.Close(y, [1, 1, 2, 2], [5f, 7f, 13f, 15f], atol: 0);
        using (var y = Functional.MaxPool2d(x, 3, stride: 2, ceilMode: true)) Check.Close(y, [1, 1, 2, 2], [10f, 11f, 14f, 15f], atol: 0);
    }

    [Fact]
    public void AvgPool2dWithAndWithoutPaddingCounted()
    {
        using var x = Image4();
        using (var y = Functional.AvgPool2d(x, 2)) Check.Close(y, [1, 1, 2, 2], [2.5f, 4.5f, 10.5f, 12.5f], atol: 1e-6);
        // Top-left window covers 0, 1, 4, 5 (+5 padded zeros): 10/9 counting the padding, 10/4 without.
        using (var y = Functional.AvgPool2d(x, 3, stride: 2, padding: 1)) Check.Close(y, [1, 1, 2, 2], [10f / 9, 24f / 9, 51f / 9, 10f], atol: 1e-6);
        using (var y = Functional.AvgPool2d(x, 3, stride: 2, padding: 1, countIncludePad: false)) Check.Close(y, [1, 1, 2, 2], [2.5f, 4f, 8.5f, 10f], atol: 1e-6);
    }

    [Fact]
    public void AdaptivePooling()
    {
        using var x = Image4();
        using (var y = Functional.AdaptiveAvgPool2d(x, 1, 1)) Check.Close(y, [1, 1, 1, 1], [7.5f], atol: 1e-6);
        using (var y = Functional.AdaptiveAvgPool2d(x, 1, 2)) Check.Close(y, [1, 1, 1, 2], [6.5f, 8.5f], atol: 1e-6);
        using (var y = Functional.AdaptiveMaxPool2d(x, 2, 2)) Check.Close(y, [1, 1, 2, 2], [5f, 7f, 13f, 15f], atol: 0);

        // 3×3 → 2×2: overlapping windows rows/cols [0, 2) and [1, 3).
        using var z = Check.Range(9, 1, 1, 3, 3);
        using (var y = Functional.AdaptiveAvgPool2d(z, 2, 2)) Check.Close(y, [1, 1, 2, 2], [2f, 3f, 5f, 6f], atol: 1e-6);
        using (var y = Functional.AdaptiveMaxPool2d(z, 2, 2)) Check.Close(y, [1, 1, 2, 2], [4f, 5f, 7f, 8f], atol: 0);
    }

    [Fact]
    public void UnfoldExtractsPatchesAsColumns()
    {
        using var z = Check.Range(9, 1, 1, 3, 3);
        using (var cols = Functional.Unfold(z, 2))
        {
            // Row r of the result is kernel offset r; column l is patch position l (row-major).
            Check.Close(cols, [1, 4, 4], [0f, 1f, 3f, 4f, 1f, 2f, 4f, 5f, 3f, 4f, 6f, 7f, 4f, 5f, 7f, 8f], atol: 0);
        }
        using (var cols = Functional.Unfold(z, 2, padding: 1, stride: 2))
        {
            Check.Close(cols, [1, 4, 4], [0f, 0f, 0f, 4f, 0f, 0f, 3f, 5f, 0f, 1f, 0f, 7f, 0f, 2f, 6f, 8f], atol: 0);
        }
        using var two = Check.Range(32, 1, 2, 4, 4);
        using (var cols = Functional.Unfold(two, 3)) Assert.Equal([1L, 18, 4], cols.Shape);
    }

    [Fact]
    public void FoldSumsPatchesBack()
    {
        using var x = Image4();
        using (var cols = Functional.Unfold(x, 2, stride: 2))
        using (var back = Functional.Fold(cols, 4, 4, 2, stride: 2))
        {
            Assert.True(back.Equal(x)); // non-overlapping patches reconstruct exactly
        }
        using var z = Check.Range(9, 1, 1, 3, 3);
        using (var cols = Functional.Unfold(z, 2))
        using (var back = Functional.Fold(cols, 3, 3, 2))
        {
            // Each pixel is multiplied by the number of patches covering it (1, 2 or 4).
            Check.Close(back, [1, 1, 3, 3], [0f, 2f, 2f, 6f, 16f, 10f, 6f, 14f, 8f], atol: 0);
        }
    }
}
