using Exemplar.Torch;

namespace Exemplar.Models.Quantization;

/// <summary>
/// Tracks the range of an activation for 8-bit asymmetric quantisation: the running minimum and maximum
/// (post-training calibration, PyTorch's MinMaxObserver), or their exponential moving average
/// (quantisation-aware training, MovingAverageMinMaxObserver).
/// </summary>
public sealed class ActivationObserver
{
    /// <summary>An observer; <paramref name="averagingConstant"/> null keeps the all-time extremes, a value c moves them by c towards each batch's.</summary>
    public ActivationObserver(double? averagingConstant = null)
    {
        if (averagingConstant is { } c && !(c is > 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(averagingConstant), c, "an averaging constant is in (0, 1]");
        AveragingConstant = averagingConstant;
    }

    /// <summary>The moving-average constant, or null for all-time extremes.</summary>
    public double? AveragingConstant { get; set; }

    /// <summary>The smallest value seen (or its average), or null before the first batch.</summary>
    public double? Min { get; private set; }

    /// <summary>The largest value seen (or its average), or null before the first batch.</summary>
    public double? Max { get; private set; }

    /// <summary>Takes in a batch of the activation (any shape).</summary>
    public void Observe(Tensor x)
    {
        using var scope = DisposeScope.Begin();
        using var noGrad = LibTorch.NoGrad();
        var flat = x.Detach().Flatten();
        double min = flat.Min().To(DType.Float64).Item<double>(), max = flat.Max().To(DType.Float64).Item<double>();
        if (!double.IsFinite(min) || !double.IsFinite(max)) throw new InvalidOperationException($"an activation holds {(double.IsNaN(min + max) ? "NaN" : "infinite")} values: it cannot be quantised");
        if (Min is not { } oldMin || Max is not { } oldMax || AveragingConstant is not { } c)
        {
            Min = Min is { } m ? Math.Min(m, min) : min;
            Max = Max is { } n ? Math.Max(n, max) : max;
            return;
        }
        Min = oldMin + c * (min - oldMin);
        Max = oldMax + c * (max - oldMax);
    }

    /// <summary>Sets the range (a saved quantised model's), replacing what was observed.</summary>
    /// <exception cref="ArgumentException">The range is not finite or min exceeds max.</exception>
    public void Restore(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max) || min > max) throw new ArgumentException($"[{min}, {max}] is not an activation range");
        (Min, Max) = (min, max);
    }

    /// <summary>
    /// Scale and zero point of uint8 [0, 255] over the range widened to contain 0 (so that zero padding is exact):
    /// scale = (max − min) / 255, zero point = round(−min / scale), as PyTorch's affine observers.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing was observed.</exception>
    public (double Scale, long ZeroPoint) Parameters()
    {
        if (Min is not { } min || Max is not { } max) throw new InvalidOperationException("the observer has seen no data: calibrate before quantising");
        min = Math.Min(min, 0);
        max = Math.Max(max, 0);
        double scale = Math.Max((max - min) / 255.0, 1e-8f);
        long zero = Math.Clamp((long)Math.Round(-min / scale, MidpointRounding.ToEven), 0, 255);
        return (scale, zero);
    }
}
