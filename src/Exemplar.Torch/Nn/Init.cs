namespace Exemplar.Torch.Nn;

/// <summary>
/// In-place parameter initialisations (PyTorch's <c>nn.init</c>), run without recording gradients. A null generator
/// uses the default one (seeded by <see cref="LibTorch.ManualSeed"/>). Inside a <see cref="Skip"/> scope they do
/// nothing, so that building a model whose weights a checkpoint will overwrite costs no random numbers.
/// </summary>
public static class Init
{
    [ThreadStatic] private static int _skipDepth;

    /// <summary>Whether a <see cref="Skip"/> scope is open on this thread (the fills then do nothing).</summary>
    public static bool Skipping => _skipDepth > 0;

    /// <summary>
    /// Until the returned scope is disposed, every fill of this class on this thread does nothing (PyTorch's
    /// <c>skip_init</c>): layers built meanwhile keep the memory they were allocated with — uninitialised for
    /// <c>Tensor.Empty</c> — and must be loaded from a checkpoint before use. Scopes nest.
    /// </summary>
    public static SkipScope Skip()
    {
        _skipDepth++;
        return new SkipScope();
    }

    /// <summary>Ends a <see cref="Skip"/> scope when disposed (once).</summary>
    public sealed class SkipScope : IDisposable
    {
        private bool _disposed;

        internal SkipScope()
        {
        }

        /// <summary>Lets the fills run again (unless an outer scope is still open).</summary>
        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            _skipDepth--;
        }
    }

    private static readonly Op Uniform = Op.Get("aten::uniform_");
    private static readonly Op Normal = Op.Get("aten::normal_");
    private static readonly Op Erfinv = Op.Get("aten::erfinv_");
    private static readonly Op Clamp = Op.Get("aten::clamp_");
    private static readonly Op AddScalar = Op.Get("aten::add_", "Scalar");

    /// <summary>Fills with U(low, high).</summary>
    public static void Uniform_(Tensor t, double low, double high, Generator? generator = null)
    {
        if (Skipping) return;
        using var _ = LibTorch.NoGrad();
        using var r = Ops.Call(Uniform, t, low, high, generator);
    }

    /// <summary>Fills with N(mean, std²).</summary>
    public static void Normal_(Tensor t, double mean = 0, double std = 1, Generator? generator = null)
    {
        if (Skipping) return;
        using var _ = LibTorch.NoGrad();
        using var r = Ops.Call(Normal, t, mean, std, generator);
    }

    /// <summary>Fills with N(mean, std²) truncated to [low, high] (absolute bounds, as timm's <c>trunc_normal_</c>).</summary>
    public static void TruncNormal_(Tensor t, double mean = 0, double std = 1, double low = -2, double high = 2, Generator? generator = null)
    {
        static double NormalCdf(double x) => (1 + Erf(x / Math.Sqrt(2))) / 2;
        if (Skipping) return;
        double l = NormalCdf((low - mean) / std), u = NormalCdf((high - mean) / std);
        using var _ = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        // Inverse-CDF sampling: uniform in [2l-1, 2u-1], then erfinv, scale and shift, clamp for rounding.
        Ops.Call(Uniform, t, 2 * l - 1, 2 * u - 1, generator);
        Ops.Call(Erfinv, t);
        t.Mul_(std * Math.Sqrt(2));
        Ops.Call(AddScalar, t, mean);
        Ops.Call(Clamp, t, low, high);
    }

    /// <summary>He/Kaiming uniform: U(-b, b) with b = gain·√(3 / fan), gain = √(2 / (1 + a²)).</summary>
    public static void KaimingUniform_(Tensor t, double a = 0, bool fanOut = false, Generator? generator = null)
    {
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        double bound = gain * Math.Sqrt(3.0 / Fan(t, fanOut));
        Uniform_(t, -bound, bound, generator);
    }

    /// <summary>He/Kaiming normal: N(0, gain² / fan) (torchvision ResNets use fanOut with ReLU gain).</summary>
    public static void KaimingNormal_(Tensor t, double a = 0, bool fanOut = false, Generator? generator = null)
    {
        double gain = Math.Sqrt(2.0 / (1 + a * a));
        Normal_(t, 0, gain / Math.Sqrt(Fan(t, fanOut)), generator);
    }

    /// <summary>Glorot/Xavier uniform: U(-b, b) with b = gain·√(6 / (fan_in + fan_out)).</summary>
    public static void XavierUniform_(Tensor t, double gain = 1, Generator? generator = null)
    {
        double bound = gain * Math.Sqrt(6.0 / (Fan(t, false) + Fan(t, true)));
        Uniform_(t, -bound, bound, generator);
    }

    /// <summary>
    /// PyTorch's default for linear and convolution layers: weight Kaiming-uniform with a = √5 (U(-1/√fan_in, 1/√fan_in)),
    /// bias U(-1/√fan_in, 1/√fan_in).
    /// </summary>
    public static void LayerDefault_(Tensor weight, Tensor? bias)
    {
        KaimingUniform_(weight, a: Math.Sqrt(5));
        if (bias is null) return;
        double bound = 1 / Math.Sqrt(Fan(weight, false));
        Uniform_(bias, -bound, bound);
    }

    /// <summary>Fills with a constant.</summary>
    public static void Constant_(Tensor t, double value)
    {
        if (Skipping) return;
        using var _ = LibTorch.NoGrad();
        using var r = t.Fill_(value);
    }

    /// <summary>
    /// fan_in (size(1) × receptive field) or fan_out (size(0) × receptive field) of a weight, as PyTorch computes them.
    /// </summary>
    public static double Fan(Tensor t, bool fanOut)
    {
        var shape = t.Shape;
        if (shape.Length < 2) throw new ArgumentException("fan in/out needs a tensor of rank 2 or more", nameof(t));
        long receptive = 1;
        for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
        return (fanOut ? shape[0] : shape[1]) * receptive;
    }

    private static double Erf(double x)
    {
        // Numerical Recipes' erfc approximation (fractional error below 1.2e-7): plenty for truncation bounds.
        double t = 1 / (1 + 0.5 * Math.Abs(x));
        double y = 1 - t * Math.Exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
            + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
        return x >= 0 ? y : -y;
    }
}
