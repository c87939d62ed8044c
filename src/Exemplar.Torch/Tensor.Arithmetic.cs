namespace Exemplar.Torch;

/// <summary>Element-wise arithmetic, comparison and logic, with broadcasting as in PyTorch.</summary>
public sealed partial class Tensor
{
    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Ops.Call(Aten.AddTensor, a, b);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, double s) => Ops.Call(Aten.AddScalar, a, s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(double s, Tensor a) => Ops.Call(Aten.AddScalar, a, s);
    /// <summary>a + n; an integer scalar keeps an integer tensor's dtype (a double would promote it to float, as in PyTorch).</summary>
    public static Tensor operator +(Tensor a, long n) => Ops.Call(Aten.AddScalar, a, n);
    /// <summary>n + a.</summary>
    public static Tensor operator +(long n, Tensor a) => Ops.Call(Aten.AddScalar, a, n);
    /// <summary>a - b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Ops.Call(Aten.SubTensor, a, b);
    /// <summary>a - n, keeping an integer dtype.</summary>
    public static Tensor operator -(Tensor a, long n) => Ops.Call(Aten.SubScalar, a, n);
    /// <summary>n - a, keeping an integer dtype.</summary>
    public static Tensor operator -(long n, Tensor a) => Ops.Call(Aten.RsubScalar, a, n);
    /// <summary>a - s.</summary>
    public static Tensor operator -(Tensor a, double s) => Ops.Call(Aten.SubScalar, a, s);
    /// <summary>s - a.</summary>
    public static Tensor operator -(double s, Tensor a) => Ops.Call(Aten.RsubScalar, a, s);
    /// <summary>-a.</summary>
    public static Tensor operator -(Tensor a) => Ops.Call(Aten.Neg, a);
    /// <summary>a * b.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Ops.Call(Aten.MulTensor, a, b);
    /// <summary>a * s.</summary>
    public static Tensor operator *(Tensor a, double s) => Ops.Call(Aten.MulScalar, a, s);
    /// <summary>s * a.</summary>
    public static Tensor operator *(double s, Tensor a) => Ops.Call(Aten.MulScalar, a, s);
    /// <summary>a * n, keeping an integer dtype.</summary>
    public static Tensor operator *(Tensor a, long n) => Ops.Call(Aten.MulScalar, a, n);
    /// <summary>n * a, keeping an integer dtype.</summary>
    public static Tensor operator *(long n, Tensor a) => Ops.Call(Aten.MulScalar, a, n);
    /// <summary>a / b (true division).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Ops.Call(Aten.DivTensor, a, b);
    /// <summary>a / s (true division).</summary>
    public static Tensor operator /(Tensor a, double s) => Ops.Call(Aten.DivScalar, a, s);
    /// <summary>s / a.</summary>
    public static Tensor operator /(double s, Tensor a)
    {
        using var r = a.Reciprocal();
        return r * s;
    }
    /// <summary>Logical/bitwise and (bool or integer tensors).</summary>
    public static Tensor operator &(Tensor a, Tensor b) => Ops.Call(Aten.BitwiseAnd, a, b);
    /// <summary>Logical/bitwise or.</summary>
    public static Tensor operator |(Tensor a, Tensor b) => Ops.Call(Aten.BitwiseOr, a, b);
    /// <summary>Logical/bitwise exclusive or.</summary>
    public static Tensor operator ^(Tensor a, Tensor b) => Ops.Call(Aten.BitwiseXor, a, b);
    /// <summary>Logical/bitwise not.</summary>
    public static Tensor operator ~(Tensor a) => Ops.Call(Aten.BitwiseNot, a);

    /// <summary>this + alpha * other.</summary>
    public Tensor Add(Tensor other, double alpha = 1) => Ops.Call(Aten.AddTensor, this, other, alpha);

    /// <summary>In place: this += alpha * other. Returns this tensor (a new handle to it).</summary>
    public Tensor Add_(Tensor other, double alpha = 1) => Ops.Call(Aten.AddTensor_, this, other, alpha);

    /// <summary>In place: this *= s.</summary>
    public Tensor Mul_(double s) => Ops.Call(Aten.MulScalar_, this, s);

    /// <summary>In place: fills with <paramref name="value"/>.</summary>
    public Tensor Fill_(double value) => Ops.Call(Aten.FillScalar_, this, value);

    /// <summary>In place: fills with zeros.</summary>
    public Tensor Zero_() => Ops.Call(Aten.Zero_, this);

    /// <summary>In place: copies <paramref name="source"/> (broadcast, converted) into this tensor.</summary>
    public Tensor Copy_(Tensor source) => Ops.Call(Aten.Copy_, this, source);

    /// <summary>this ^ exponent, element-wise.</summary>
    public Tensor Pow(double exponent) => Ops.Call(Aten.PowTensorScalar, this, exponent);

    /// <summary>this ^ exponent, element-wise.</summary>
    public Tensor Pow(Tensor exponent) => Ops.Call(Aten.PowTensorTensor, this, exponent);

    /// <summary>Python's modulo (the sign of the divisor); the result is float for a float divisor.</summary>
    public Tensor Remainder(double divisor) => Ops.Call(Aten.Remainder, this, divisor);

    /// <summary>Python's modulo by an integer, keeping an integer dtype.</summary>
    public Tensor Remainder(long divisor) => Ops.Call(Aten.Remainder, this, divisor);

    /// <summary>Division rounded down (Python's <c>//</c>), keeping an integer dtype for an integer divisor.</summary>
    public Tensor FloorDivide(long divisor) => Ops.Call(Aten.DivScalarMode, this, divisor, "floor");

    /// <summary>Clamps to [min, max]; a null bound is open.</summary>
    public Tensor Clamp(double? min = null, double? max = null) => Ops.Call(Aten.Clamp, this, OpArg.Optional(min), OpArg.Optional(max));

    /// <summary>this + weight * (end - this).</summary>
    public Tensor Lerp(Tensor end, double weight) => Ops.Call(Aten.Lerp, this, end, weight);

    /// <summary>Element-wise maximum of two tensors.</summary>
    public Tensor Maximum(Tensor other) => Ops.Call(Aten.MaxOther, this, other);

    /// <summary>Element-wise minimum of two tensors.</summary>
    public Tensor Minimum(Tensor other) => Ops.Call(Aten.MinOther, this, other);

    /// <summary>|x|.</summary>
    public Tensor Abs() => Unary("aten::abs");
    /// <summary>e^x.</summary>
    public Tensor Exp() => Unary("aten::exp");
    /// <summary>Natural logarithm.</summary>
    public Tensor Log() => Unary("aten::log");
    /// <summary>log(1 + x), accurate near 0.</summary>
    public Tensor Log1p() => Unary("aten::log1p");
    /// <summary>Square root.</summary>
    public Tensor Sqrt() => Unary("aten::sqrt");
    /// <summary>1 / sqrt(x).</summary>
    public Tensor Rsqrt() => Unary("aten::rsqrt");
    /// <summary>1 / x.</summary>
    public Tensor Reciprocal() => Unary("aten::reciprocal");
    /// <summary>x².</summary>
    public Tensor Square() => Unary("aten::square");
    /// <summary>Sine.</summary>
    public Tensor Sin() => Unary("aten::sin");
    /// <summary>Cosine.</summary>
    public Tensor Cos() => Unary("aten::cos");
    /// <summary>Rounds down.</summary>
    public Tensor Floor() => Unary("aten::floor");
    /// <summary>Rounds up.</summary>
    public Tensor Ceil() => Unary("aten::ceil");
    /// <summary>Rounds half to even.</summary>
    public Tensor Round() => Unary("aten::round");
    /// <summary>-1, 0 or 1.</summary>
    public Tensor Sign() => Unary("aten::sign");
    /// <summary>Gauss error function.</summary>
    public Tensor Erf() => Unary("aten::erf");
    /// <summary>Logical not (any dtype to bool).</summary>
    public Tensor LogicalNot() => Unary("aten::logical_not");
    /// <summary>Logical and (any dtypes to bool).</summary>
    public Tensor LogicalAnd(Tensor other) => Ops.Call("aten::logical_and", "", this, other);
    /// <summary>Logical or (any dtypes to bool).</summary>
    public Tensor LogicalOr(Tensor other) => Ops.Call("aten::logical_or", "", this, other);
    /// <summary>NaN test.</summary>
    public Tensor IsNan() => Unary("aten::isnan");
    /// <summary>Infinity test (either sign).</summary>
    public Tensor IsInf() => Unary("aten::isinf");

    /// <summary>this == other, element-wise (bool).</summary>
    public Tensor Eq(Tensor other) => Ops.Call(Aten.EqTensor, this, other);
    /// <summary>this == s (bool).</summary>
    public Tensor Eq(double s) => Ops.Call(Aten.EqScalar, this, s);
    /// <summary>this != other (bool).</summary>
    public Tensor Ne(Tensor other) => Ops.Call(Aten.NeTensor, this, other);
    /// <summary>this != s (bool).</summary>
    public Tensor Ne(double s) => Ops.Call(Aten.NeScalar, this, s);
    /// <summary>this &lt; other (bool).</summary>
    public Tensor Lt(Tensor other) => Ops.Call(Aten.LtTensor, this, other);
    /// <summary>this &lt; s (bool).</summary>
    public Tensor Lt(double s) => Ops.Call(Aten.LtScalar, this, s);
    /// <summary>this &lt;= other (bool).</summary>
    public Tensor Le(Tensor other) => Ops.Call(Aten.LeTensor, this, other);
    /// <summary>this &lt;= s (bool).</summary>
    public Tensor Le(double s) => Ops.Call(Aten.LeScalar, this, s);
    /// <summary>this &gt; other (bool).</summary>
    public Tensor Gt(Tensor other) => Ops.Call(Aten.GtTensor, this, other);
    /// <summary>this &gt; s (bool).</summary>
    public Tensor Gt(double s) => Ops.Call(Aten.GtScalar, this, s);
    /// <summary>this &gt;= other (bool).</summary>
    public Tensor Ge(Tensor other) => Ops.Call(Aten.GeTensor, this, other);
    /// <summary>this &gt;= s (bool).</summary>
    public Tensor Ge(double s) => Ops.Call(Aten.GeScalar, this, s);

    /// <summary>Whether every element is within atol + rtol·|other| of <paramref name="other"/> (same shape after broadcasting).</summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false) =>
        (bool)Ops.Invoke(Aten.AllClose, this, other, rtol, atol, equalNan)[0]!;

    /// <summary>Whether both tensors have the same shape and exactly the same elements.</summary>
    public bool Equal(Tensor other) => (bool)Ops.Invoke(Aten.Equal, this, other)[0]!;

    private Tensor Unary(string name) => Ops.Call(Op.Get(name), this);
}
