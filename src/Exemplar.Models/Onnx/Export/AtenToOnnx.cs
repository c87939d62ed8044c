using Exemplar.Torch;
using Exemplar.Torch.Tracing;
using static Exemplar.Models.Onnx.Export.OnnxGraphBuilder;

namespace Exemplar.Models.Onnx.Export;

/// <summary>
/// The table from ATen operators (as the op layer calls them) to ONNX opset-17 operators. Each entry reads the traced
/// call's arguments in ATen's schema order and emits the equivalent nodes; element types follow ATen's result type
/// (inputs are cast to it where ONNX needs equal types). Operators or argument forms with no entry are an error that
/// names them.
/// </summary>
internal static class AtenToOnnx
{
    private delegate void Mapping(OnnxExportContext c, TracedCall call);

    private static readonly Dictionary<string, Mapping> Table = new(StringComparer.Ordinal)
    {
        // Element-wise arithmetic, with ATen's alpha and scalar operands.
        ["aten::add.Tensor"] = (c, k) => Arith(c, k, "Add", Operand(c, k, 1), alpha: true),
        ["aten::add.Scalar"] = (c, k) => Arith(c, k, "Add", Operand(c, k, 1), alpha: true),
        ["aten::add_.Tensor"] = (c, k) => Arith(c, k, "Add", Operand(c, k, 1), alpha: true),
        ["aten::add_.Scalar"] = (c, k) => Arith(c, k, "Add", Operand(c, k, 1), alpha: true),
        ["aten::sub.Tensor"] = (c, k) => Arith(c, k, "Sub", Operand(c, k, 1), alpha: true),
        ["aten::sub.Scalar"] = (c, k) => Arith(c, k, "Sub", Operand(c, k, 1), alpha: true),
        ["aten::rsub.Scalar"] = (c, k) => Bind(c, k, c.Builder.Add("Sub", [Operand(c, k, 1)(OutType(c, k)), Scaled(c, k, c.Input(k.Arg(0), OutType(c, k)))])),
        ["aten::mul.Tensor"] = (c, k) => Arith(c, k, "Mul", Operand(c, k, 1)),
        ["aten::mul.Scalar"] = (c, k) => Arith(c, k, "Mul", Operand(c, k, 1)),
        ["aten::mul_.Tensor"] = (c, k) => Arith(c, k, "Mul", Operand(c, k, 1)),
        ["aten::mul_.Scalar"] = (c, k) => Arith(c, k, "Mul", Operand(c, k, 1)),
        ["aten::div.Tensor"] = (c, k) => Arith(c, k, "Div", Operand(c, k, 1)),
        ["aten::div.Scalar"] = (c, k) => Arith(c, k, "Div", Operand(c, k, 1)),
        ["aten::pow.Tensor_Scalar"] = (c, k) => Arith(c, k, "Pow", Operand(c, k, 1)),
        ["aten::pow.Tensor_Tensor"] = (c, k) => Arith(c, k, "Pow", Operand(c, k, 1)),
        ["aten::maximum"] = (c, k) => Arith(c, k, "Max", Operand(c, k, 1)),
        ["aten::minimum"] = (c, k) => Arith(c, k, "Min", Operand(c, k, 1)),
        ["aten::square"] = (c, k) => { var x = c.Input(k.Arg(0), OutType(c, k)); Bind(c, k, c.Builder.Add("Mul", [x, x])); },
        ["aten::neg"] = Unary("Neg"),
        ["aten::abs"] = Unary("Abs"),
        ["aten::exp"] = Unary("Exp"),
        ["aten::log"] = Unary("Log"),
        ["aten::sqrt"] = Unary("Sqrt"),
        ["aten::rsqrt"] = (c, k) => Bind(c, k, c.Builder.Add("Reciprocal", [c.Builder.Add("Sqrt", [c.Input(k.Arg(0), OutType(c, k))])])),
        ["aten::reciprocal"] = Unary("Reciprocal"),
        ["aten::sigmoid"] = Unary("Sigmoid"),
        ["aten::tanh"] = Unary("Tanh"),
        ["aten::erf"] = Unary("Erf"),
        ["aten::sin"] = Unary("Sin"),
        ["aten::cos"] = Unary("Cos"),
        ["aten::floor"] = Unary("Floor"),
        ["aten::ceil"] = Unary("Ceil"),
        ["aten::round"] = Unary("Round"),
        ["aten::sign"] = Unary("Sign"),
        ["aten::relu"] = Unary("Relu"),
        ["aten::relu_"] = Unary("Relu"),
        ["aten::hardswish"] = Unary("HardSwish"),
        ["aten::silu"] = (c, k) => { var x = c.Name(k.Arg(0)); Bind(c, k, c.Builder.Add("Mul", [x, c.Builder.Add("Sigmoid", [x])])); },
        ["aten::leaky_relu"] = (c, k) => Bind(c, k, c.Builder.Add("LeakyRelu", [c.Name(k.Arg(0))], Attr("alpha", (float)DoubleOr(k.Arg(1), 0.01)))),
        ["aten::gelu"] = Gelu,
        ["aten::hardtanh"] = (c, k) => Clip(c, k, DoubleOr(k.Arg(1), -1), DoubleOr(k.Arg(2), 1)),
        ["aten::clamp"] = (c, k) => Clip(c, k, k.Arg(1).IsNone ? null : Number(k.Arg(1)), k.Arg(2).IsNone ? null : Number(k.Arg(2))),
        ["aten::clamp_"] = (c, k) => Clip(c, k, k.Arg(1).IsNone ? null : Number(k.Arg(1)), k.Arg(2).IsNone ? null : Number(k.Arg(2))),
        ["aten::softmax.int"] = (c, k) => Bind(c, k, c.Builder.Add("Softmax", [c.Input(k.Arg(0), OutType(c, k))], Attr("axis", Dim(c, k, 1)))),
        ["aten::log_softmax.int"] = (c, k) => Bind(c, k, c.Builder.Add("LogSoftmax", [c.Input(k.Arg(0), OutType(c, k))], Attr("axis", Dim(c, k, 1)))),

        // Comparisons and logic.
        ["aten::ge.Scalar"] = Compare("GreaterOrEqual"),
        ["aten::ge.Tensor"] = Compare("GreaterOrEqual"),
        ["aten::gt.Scalar"] = Compare("Greater"),
        ["aten::gt.Tensor"] = Compare("Greater"),
        ["aten::le.Scalar"] = Compare("LessOrEqual"),
        ["aten::le.Tensor"] = Compare("LessOrEqual"),
        ["aten::lt.Scalar"] = Compare("Less"),
        ["aten::lt.Tensor"] = Compare("Less"),
        ["aten::eq.Scalar"] = Compare("Equal"),
        ["aten::eq.Tensor"] = Compare("Equal"),
        ["aten::ne.Scalar"] = (c, k) => { Compare("Equal")(c, k); Bind(c, k, c.Builder.Add("Not", [c.Name(k.Output)])); },
        ["aten::ne.Tensor"] = (c, k) => { Compare("Equal")(c, k); Bind(c, k, c.Builder.Add("Not", [c.Name(k.Output)])); },
        ["aten::logical_not"] = (c, k) => Bind(c, k, c.Builder.Add("Not", [c.Input(k.Arg(0), DType.Bool)])),
        ["aten::bitwise_not"] = (c, k) => Bind(c, k, c.Builder.Add("Not", [BoolOnly(c, k, 0)])),
        ["aten::logical_and"] = (c, k) => Bind(c, k, c.Builder.Add("And", [c.Input(k.Arg(0), DType.Bool), c.Input(k.Arg(1), DType.Bool)])),
        ["aten::logical_or"] = (c, k) => Bind(c, k, c.Builder.Add("Or", [c.Input(k.Arg(0), DType.Bool), c.Input(k.Arg(1), DType.Bool)])),
        ["aten::bitwise_and.Tensor"] = (c, k) => Bind(c, k, c.Builder.Add("And", [BoolOnly(c, k, 0), BoolOnly(c, k, 1)])),
        ["aten::bitwise_or.Tensor"] = (c, k) => Bind(c, k, c.Builder.Add("Or", [BoolOnly(c, k, 0), BoolOnly(c, k, 1)])),
        ["aten::isnan"] = (c, k) => Bind(c, k, c.Builder.Add("IsNaN", [c.Name(k.Arg(0))])),
        ["aten::isinf"] = (c, k) => Bind(c, k, c.Builder.Add("IsInf", [c.Name(k.Arg(0))])),
        ["aten::where.self"] = (c, k) => Bind(c, k, Where(c, c.Input(k.Arg(0), DType.Bool), Operand(c, k, 1)(OutType(c, k)), Operand(c, k, 2)(OutType(c, k)), OutType(c, k))),
        ["aten::where.ScalarOther"] = (c, k) => Bind(c, k, Where(c, c.Input(k.Arg(0), DType.Bool), Operand(c, k, 1)(OutType(c, k)), Operand(c, k, 2)(OutType(c, k)), OutType(c, k))),
        ["aten::where.ScalarSelf"] = (c, k) => Bind(c, k, Where(c, c.Input(k.Arg(0), DType.Bool), Operand(c, k, 1)(OutType(c, k)), Operand(c, k, 2)(OutType(c, k)), OutType(c, k))),
        ["aten::masked_fill.Scalar"] = MaskedFill,
        ["aten::masked_fill.Tensor"] = MaskedFill,
        ["aten::masked_fill_.Scalar"] = MaskedFill,

        // Types and copies.
        ["aten::to.dtype"] = (c, k) => Bind(c, k, c.Input(k.Arg(0), OutType(c, k))),
        ["aten::to.device"] = (c, k) => Bind(c, k, c.Input(k.Arg(0), OutType(c, k))),
        ["aten::detach"] = Identity,
        ["aten::clone"] = Identity,
        ["aten::contiguous"] = Identity,
        ["aten::alias"] = Identity,
        ["aten::dropout"] = (c, k) =>
        {
            if (k.Arg(2).Int != 0) throw new NotSupportedException("aten::dropout in training mode cannot be exported; put the module in eval mode");
            Identity(c, k);
        },
        ["aten::zeros_like"] = (c, k) => FilledLike(c, k, 0),
        ["aten::ones_like"] = (c, k) => FilledLike(c, k, 1),

        // Reductions.
        ["aten::sum"] = (c, k) => Bind(c, k, Reduce(c, c.Input(k.Arg(0), OutType(c, k)), "ReduceSum", null, keepDims: false)),
        ["aten::sum.dim_IntList"] = (c, k) => Bind(c, k, Reduce(c, c.Input(k.Arg(0), OutType(c, k)), "ReduceSum", Dims(c, k, 1), k.Arg(2).Int != 0)),
        ["aten::mean"] = (c, k) => Bind(c, k, Reduce(c, c.Input(k.Arg(0), OutType(c, k)), "ReduceMean", null, keepDims: false)),
        ["aten::mean.dim"] = (c, k) => Bind(c, k, Reduce(c, c.Input(k.Arg(0), OutType(c, k)), "ReduceMean", Dims(c, k, 1), k.Arg(2).Int != 0)),
        ["aten::amax"] = (c, k) => Bind(c, k, Reduce(c, c.Name(k.Arg(0)), "ReduceMax", Dims(c, k, 1), k.Arg(2).Int != 0)),
        ["aten::amin"] = (c, k) => Bind(c, k, Reduce(c, c.Name(k.Arg(0)), "ReduceMin", Dims(c, k, 1), k.Arg(2).Int != 0)),
        ["aten::max"] = (c, k) => Bind(c, k, Reduce(c, c.Name(k.Arg(0)), "ReduceMax", null, keepDims: false)),
        ["aten::min"] = (c, k) => Bind(c, k, Reduce(c, c.Name(k.Arg(0)), "ReduceMin", null, keepDims: false)),
        ["aten::max.dim"] = (c, k) => ValuesAndIndices(c, k, "ReduceMax", "ArgMax"),
        ["aten::min.dim"] = (c, k) => ValuesAndIndices(c, k, "ReduceMin", "ArgMin"),
        ["aten::argmax"] = (c, k) => ArgReduce(c, k, "ArgMax"),
        ["aten::argmin"] = (c, k) => ArgReduce(c, k, "ArgMin"),
        ["aten::any"] = (c, k) => Bind(c, k, AnyAll(c, c.Name(k.Arg(0)), c.Info(k.Arg(0)).DType, "ReduceMax", null, false)),
        ["aten::any.dim"] = (c, k) => Bind(c, k, AnyAll(c, c.Name(k.Arg(0)), c.Info(k.Arg(0)).DType, "ReduceMax", [Dim(c, k, 1)], k.Arg(2).Int != 0)),
        ["aten::all"] = (c, k) => Bind(c, k, AnyAll(c, c.Name(k.Arg(0)), c.Info(k.Arg(0)).DType, "ReduceMin", null, false)),
        ["aten::norm.ScalarOpt_dim"] = Norm,
        ["aten::cumsum"] = (c, k) => Bind(c, k, c.Builder.Add("CumSum", [c.Input(k.Arg(0), OutType(c, k)), c.Builder.Ints([Dim(c, k, 1)], scalar: true)])),
        ["aten::topk"] = TopK,

        // Shapes and views.
        ["aten::view"] = Reshape,
        ["aten::reshape"] = Reshape,
        ["aten::unflatten.int"] = Reshape,
        ["aten::flatten.using_ints"] = Flatten,
        ["aten::permute"] = (c, k) => Bind(c, k, c.Builder.Add("Transpose", [c.Name(k.Arg(0))], Attr("perm", Dims(c, k, 1)))),
        ["aten::transpose.int"] = Transpose,
        ["aten::t"] = (c, k) => Bind(c, k, c.Info(k.Arg(0)).Rank < 2 ? c.Name(k.Arg(0)) : c.Builder.Add("Transpose", [c.Name(k.Arg(0))], Attr("perm", [1L, 0]))),
        ["aten::unsqueeze"] = (c, k) => Bind(c, k, c.Builder.Add("Unsqueeze", [c.Name(k.Arg(0)), c.Builder.Ints([Normalize(k.Arg(1).Int, c.Info(k.Arg(0)).Rank + 1)])])),
        ["aten::squeeze.dim"] = (c, k) => Bind(c, k, c.Info(k.Arg(0)).Shape[(int)Dim(c, k, 1)] != 1
            ? c.Name(k.Arg(0))
            : c.Builder.Add("Squeeze", [c.Name(k.Arg(0)), c.Builder.Ints([Dim(c, k, 1)])])),
        ["aten::squeeze"] = (c, k) => Bind(c, k, c.Builder.Add("Squeeze", [c.Name(k.Arg(0))])),
        // A negative index stays negative (Gather counts it from the end), so it follows a dynamic axis.
        ["aten::select.int"] = (c, k) => Bind(c, k, c.Builder.Add("Gather", [c.Name(k.Arg(0)), c.Builder.Ints([k.Arg(2).Int], scalar: true)], Attr("axis", Dim(c, k, 1)))),
        ["aten::slice.Tensor"] = (c, k) => Slice(c, k, Dim(c, k, 1), k.Arg(2).IsNone ? 0 : k.Arg(2).Int, k.Arg(3).IsNone ? long.MaxValue : k.Arg(3).Int, k.Arg(4).IsNone ? 1 : k.Arg(4).Int),
        ["aten::narrow"] = (c, k) => Slice(c, k, Dim(c, k, 1), k.Arg(2).Int, k.Arg(2).Int < 0 && k.Arg(2).Int + k.Arg(3).Int == 0 ? long.MaxValue : k.Arg(2).Int + k.Arg(3).Int, 1),
        ["aten::cat"] = (c, k) => Bind(c, k, c.Builder.Add("Concat", k.Arg(0).Values.Select(v => c.CastTo(c.Name(v), c.Info(v).DType, OutType(c, k))), Attr("axis", Normalize(IntOr(k.Arg(1), 0), c.Info(k.Output).Rank)))),
        ["aten::stack"] = (c, k) =>
        {
            long axis = Normalize(IntOr(k.Arg(1), 0), c.Info(k.Output).Rank);
            var axes = c.Builder.Ints([axis]);
            Bind(c, k, c.Builder.Add("Concat", k.Arg(0).Values.Select(v => c.Builder.Add("Unsqueeze", [c.CastTo(c.Name(v), c.Info(v).DType, OutType(c, k)), axes])), Attr("axis", axis)));
        },
        ["aten::expand"] = (c, k) => Bind(c, k, c.Builder.Add("Expand", [c.Name(k.Arg(0)), c.Builder.Ints([.. k.Arg(1).Ints.Select(s => s < 0 ? 1 : s)])])),
        ["aten::split.Tensor"] = Split,
        ["aten::split_with_sizes"] = Split,
        ["aten::chunk"] = Split,
        ["aten::pad"] = Pad,
        ["aten::constant_pad_nd"] = Pad,

        // Linear algebra.
        ["aten::matmul"] = (c, k) => Bind(c, k, c.Builder.Add("MatMul", [c.Name(k.Arg(0)), c.Name(k.Arg(1))])),
        ["aten::bmm"] = (c, k) => Bind(c, k, c.Builder.Add("MatMul", [c.Name(k.Arg(0)), c.Name(k.Arg(1))])),
        ["aten::linear"] = Linear,
        ["aten::einsum"] = (c, k) => Bind(c, k, c.Builder.Add("Einsum", k.Arg(1).Values.Select(c.Name), Attr("equation", k.Arg(0).Text))),

        // Convolution, normalisation, pooling, resampling.
        ["aten::conv2d"] = Conv,
        ["aten::conv_transpose2d.input"] = ConvTranspose,
        ["aten::batch_norm"] = BatchNorm,
        ["aten::layer_norm"] = LayerNorm,
        ["aten::group_norm"] = GroupNorm,
        ["aten::max_pool2d"] = (c, k) => Pool(c, k, "MaxPool"),
        ["aten::avg_pool2d"] = (c, k) => Pool(c, k, "AveragePool"),
        ["aten::adaptive_avg_pool2d"] = AdaptiveAvgPool,
        // Fake quantisation → QuantizeLinear → DequantizeLinear (what ONNX Runtime fuses into int8 kernels).
        ["aten::fake_quantize_per_tensor_affine"] = FakeQuantizePerTensor,
        ["aten::fake_quantize_per_channel_affine"] = FakeQuantizePerChannel,
        // upsample_*2d.vec(input, output_size?, [align_corners,] scale_factors?)
        ["aten::upsample_bilinear2d.vec"] = (c, k) => Resize(c, k, "linear", alignCorners: k.Arg(2).Int != 0, k.Arg(3)),
        ["aten::upsample_bicubic2d.vec"] = (c, k) => Resize(c, k, "cubic", alignCorners: k.Arg(2).Int != 0, k.Arg(3)),
        ["aten::upsample_nearest2d.vec"] = (c, k) => Resize(c, k, "nearest", alignCorners: false, k.Arg(2)),
    };

    /// <summary>Emits the ONNX nodes for one traced call.</summary>
    /// <exception cref="NotSupportedException">No mapping for the operator (or for this form of its arguments).</exception>
    public static void Map(OnnxExportContext c, TracedCall call)
    {
        string full = call.Op.Overload.Length > 0 ? $"{call.Op.Name}.{call.Op.Overload}" : call.Op.Name;
        if (!Table.TryGetValue(full, out var mapping))
        {
            throw new NotSupportedException($"the ONNX exporter has no mapping for {full} (called as {call}); export a function that avoids it, or add it to AtenToOnnx");
        }
        try
        {
            mapping(c, call);
        }
        catch (NotSupportedException e) when (!e.Message.StartsWith(full, StringComparison.Ordinal))
        {
            throw new NotSupportedException($"{full}: {e.Message}", e);
        }
    }

    private static void Bind(OnnxExportContext c, TracedCall k, string name) => c.Bind(k.Output, name);

    private static void Identity(OnnxExportContext c, TracedCall k) => Bind(c, k, c.Name(k.Arg(0)));

    private static DType OutType(OnnxExportContext c, TracedCall k) => c.Info(k.Output).DType;

    private static Mapping Unary(string op) => (c, k) => Bind(c, k, c.Builder.Add(op, [c.Input(k.Arg(0), OutType(c, k))]));

    /// <summary>A tensor or scalar operand at <paramref name="index"/>, as an ONNX value of a given dtype.</summary>
    private static Func<DType, string> Operand(OnnxExportContext c, TracedCall k, int index)
    {
        var arg = k.Arg(index);
        return arg.Kind == TracedKind.Tensor ? dtype => c.Input(arg, dtype) : dtype => c.Builder.Scalar(Number(arg), dtype);
    }

    private static void Arith(OnnxExportContext c, TracedCall k, string op, Func<DType, string> other, bool alpha = false)
    {
        var dtype = OutType(c, k);
        string b = other(dtype);
        if (alpha) b = Scaled(c, k, b, 2);
        Bind(c, k, c.Builder.Add(op, [c.Input(k.Arg(0), dtype), b]));
    }

    /// <summary><paramref name="value"/> times the call's <c>alpha</c> argument (at <paramref name="index"/>), when it is not 1.</summary>
    private static string Scaled(OnnxExportContext c, TracedCall k, string value, int index = 2)
    {
        var alpha = k.Arg(index);
        if (alpha.IsNone || Number(alpha) == 1) return value;
        return c.Builder.Add("Mul", [value, c.Builder.Scalar(Number(alpha), OutType(c, k))]);
    }

    private static Mapping Compare(string op) => (c, k) =>
    {
        var left = c.Info(k.Arg(0)).DType;
        var right = k.Arg(1).Kind == TracedKind.Tensor ? c.Info(k.Arg(1)).DType : (k.Arg(1).Kind == TracedKind.Double ? DType.Float32 : left);
        var common = left == right ? left : (IsFloat(left) ? left : IsFloat(right) ? right : DType.Int64);
        Bind(c, k, c.Builder.Add(op, [c.Input(k.Arg(0), common), Operand(c, k, 1)(common)]));
    };

    private static string BoolOnly(OnnxExportContext c, TracedCall k, int index)
    {
        if (c.Info(k.Arg(index)).DType != DType.Bool) throw new NotSupportedException("bitwise operations are exported for bool tensors only");
        return c.Name(k.Arg(index));
    }

    private static void MaskedFill(OnnxExportContext c, TracedCall k)
    {
        var dtype = OutType(c, k);
        Bind(c, k, Where(c, c.Input(k.Arg(1), DType.Bool), Operand(c, k, 2)(dtype), c.Input(k.Arg(0), dtype), dtype));
    }

    /// <summary>Where(condition, a, b); ONNX Runtime has no bool Where kernel, so bools are selected with And/Or.</summary>
    private static string Where(OnnxExportContext c, string condition, string a, string b, DType dtype)
    {
        if (dtype != DType.Bool) return c.Builder.Add("Where", [condition, a, b]);
        var whenTrue = c.Builder.Add("And", [condition, a]);
        var whenFalse = c.Builder.Add("And", [c.Builder.Add("Not", [condition]), b]);
        return c.Builder.Add("Or", [whenTrue, whenFalse]);
    }

    /// <summary>The ONNX element type of a quantisation range: uint8 for [0, 255], int8 for [−128, 127] and the symmetric [−127, 127] (which QuantizeLinear cannot clamp to, but a symmetric scale never reaches −128).</summary>
    private static DType QuantizedType(long min, long max) => (min, max) switch
    {
        (0, 255) => DType.UInt8,
        (-128, 127) or (-127, 127) => DType.Int8,
        _ => throw new NotSupportedException($"quantisation range [{min}, {max}] is not an ONNX 8-bit range ([0, 255], [-128, 127] or [-127, 127])"),
    };

    // fake_quantize_per_tensor_affine(Tensor self, float scale, int zero_point, int quant_min, int quant_max)
    private static void FakeQuantizePerTensor(OnnxExportContext c, TracedCall k)
    {
        var type = QuantizedType(k.Arg(3).Int, k.Arg(4).Int);
        if (c.Info(k.Arg(0)).DType != DType.Float32) throw new NotSupportedException("fake quantisation is exported for float32 tensors");
        string scale = c.Builder.Scalar(k.Arg(1).Double, DType.Float32);
        string zero = c.Builder.Scalar(k.Arg(2).Int, type);
        string q = c.Builder.Add("QuantizeLinear", [c.Name(k.Arg(0)), scale, zero]);
        Bind(c, k, c.Builder.Add("DequantizeLinear", [q, scale, zero]));
    }

    // fake_quantize_per_channel_affine(Tensor self, Tensor scale, Tensor zero_point, int axis, int quant_min, int quant_max)
    private static void FakeQuantizePerChannel(OnnxExportContext c, TracedCall k)
    {
        var type = QuantizedType(k.Arg(4).Int, k.Arg(5).Int);
        if (!c.IsConstant(k.Arg(1).Value) || !c.IsConstant(k.Arg(2).Value))
            throw new NotSupportedException("per-channel fake quantisation is exported with constant scales and zero points (computed from the weights, not from traced inputs)");
        string scale = c.Builder.Initializer(c.Constant(k.Arg(1).Value).To(DType.Float32), "qscale");
        string zero = c.Builder.Initializer(c.Constant(k.Arg(2).Value).To(type), "qzero");
        var axis = Attr("axis", k.Arg(3).Int);
        string q = c.Builder.Add("QuantizeLinear", [c.Name(k.Arg(0)), scale, zero], axis);
        Bind(c, k, c.Builder.Add("DequantizeLinear", [q, scale, zero], Attr("axis", k.Arg(3).Int)));
    }

    private static void Clip(OnnxExportContext c, TracedCall k, double? min, double? max)
    {
        var dtype = OutType(c, k);
        Bind(c, k, c.Builder.Add("Clip", [c.Input(k.Arg(0), dtype), min is { } lo ? c.Builder.Scalar(lo, dtype) : "", max is { } hi ? c.Builder.Scalar(hi, dtype) : ""]));
    }

    private static void Gelu(OnnxExportContext c, TracedCall k)
    {
        // Opset 17 has no Gelu: 0.5·x·(1 + erf(x/√2)), or the tanh approximation when asked for.
        var x = c.Name(k.Arg(0));
        var dtype = OutType(c, k);
        var b = c.Builder;
        string inner;
        if (k.Arg(1).Kind == TracedKind.String && k.Arg(1).Text == "tanh")
        {
            var cube = b.Add("Mul", [x, b.Add("Mul", [x, x])]);
            var poly = b.Add("Add", [x, b.Add("Mul", [cube, b.Scalar(0.044715, dtype)])]);
            inner = b.Add("Tanh", [b.Add("Mul", [poly, b.Scalar(Math.Sqrt(2 / Math.PI), dtype)])]);
        }
        else
        {
            inner = b.Add("Erf", [b.Add("Div", [x, b.Scalar(Math.Sqrt(2), dtype)])]);
        }
        var half = b.Add("Mul", [x, b.Scalar(0.5, dtype)]);
        Bind(c, k, b.Add("Mul", [half, b.Add("Add", [inner, b.Scalar(1, dtype)])]));
    }

    private static void FilledLike(OnnxExportContext c, TracedCall k, double value)
    {
        var proto = ToProto(Tensor.Scalar(value).To(OutType(c, k)).Reshape(1), "value");
        Bind(c, k, c.Builder.Add("ConstantOfShape", [c.Builder.Add("Shape", [c.Name(k.Arg(0))])], Attr("value", proto)));
    }

    /// <summary>A reduction over <paramref name="axes"/> (all when null); ReduceSum takes them as an input since opset 13, the others as an attribute until opset 18.</summary>
    private static string Reduce(OnnxExportContext c, string x, string op, long[]? axes, bool keepDims)
    {
        var keep = Attr("keepdims", keepDims ? 1L : 0L);
        if (axes is null) return c.Builder.Add(op, [x], keep);
        return op == "ReduceSum" ? c.Builder.Add(op, [x, c.Builder.Ints(axes)], keep) : c.Builder.Add(op, [x], keep, Attr("axes", axes));
    }

    private static string AnyAll(OnnxExportContext c, string x, DType dtype, string op, long[]? axes, bool keepDims)
    {
        // Opset 17 reductions take no bool: reduce a 0/1 int32 copy and compare.
        var ints = c.CastTo(c.CastTo(x, dtype, DType.Bool), DType.Bool, DType.Int32);
        var reduced = Reduce(c, ints, op, axes, keepDims);
        return c.CastTo(reduced, DType.Int32, DType.Bool);
    }

    private static void ValuesAndIndices(OnnxExportContext c, TracedCall k, string reduce, string arg)
    {
        long dim = Dim(c, k, 1);
        bool keep = k.Arg(2).Int != 0;
        var x = c.Name(k.Arg(0));
        c.Bind(k.Outputs[0].Values[0], Reduce(c, x, reduce, [dim], keep));
        c.Bind(k.Outputs[1].Values[0], c.Builder.Add(arg, [x], Attr("axis", dim), Attr("keepdims", keep ? 1L : 0L)));
    }

    private static void ArgReduce(OnnxExportContext c, TracedCall k, string op)
    {
        var x = c.Name(k.Arg(0));
        bool keep = k.Arg(2).Int != 0;
        if (k.Arg(1).IsNone)
        {
            x = c.Builder.Add("Reshape", [x, c.Builder.Ints([-1])]);
            Bind(c, k, c.Builder.Add(op, [x], Attr("axis", 0L), Attr("keepdims", 0L)));
            return;
        }
        Bind(c, k, c.Builder.Add(op, [x], Attr("axis", Dim(c, k, 1)), Attr("keepdims", keep ? 1L : 0L)));
    }

    private static void Norm(OnnxExportContext c, TracedCall k)
    {
        double p = k.Arg(1).IsNone ? 2 : Number(k.Arg(1));
        string op = p switch { 2 => "ReduceL2", 1 => "ReduceL1", _ => throw new NotSupportedException($"norms of order {p} (only 1 and 2)") };
        Bind(c, k, c.Builder.Add(op, [c.Name(k.Arg(0))], Attr("axes", Dims(c, k, 2)), Attr("keepdims", k.Arg(3).Int != 0 ? 1L : 0L)));
    }

    private static void TopK(OnnxExportContext c, TracedCall k)
    {
        long dim = k.Arg(2).IsNone ? c.Info(k.Arg(0)).Rank - 1 : Dim(c, k, 2);
        bool largest = k.Arg(3).IsNone || k.Arg(3).Int != 0;
        var outs = c.Builder.AddMany("TopK", [c.Name(k.Arg(0)), c.Builder.Ints([k.Arg(1).Int])], 2,
            Attr("axis", dim), Attr("largest", largest ? 1L : 0L), Attr("sorted", 1L));
        c.Bind(k.Outputs[0].Values[0], outs[0]);
        c.Bind(k.Outputs[1].Values[0], outs[1]);
    }

    private static void Reshape(OnnxExportContext c, TracedCall k)
    {
        var shape = c.Info(k.Output).Shape.ToArray();
        var asked = k.Op.Name == "aten::unflatten" ? null : k.Arg(1).Ints;
        // Keep the caller's -1 (so a dynamic axis can flow through it); other sizes are the traced ones.
        if (asked is not null && asked.Count == shape.Length)
        {
            for (int d = 0; d < shape.Length; d++) if (asked[d] == -1) shape[d] = -1;
        }
        Bind(c, k, c.Builder.Add("Reshape", [c.Name(k.Arg(0)), c.Builder.Ints(shape)]));
    }

    private static void Flatten(OnnxExportContext c, TracedCall k)
    {
        int rank = c.Info(k.Arg(0)).Rank;
        long start = Normalize(IntOr(k.Arg(1), 0), Math.Max(rank, 1)), end = Normalize(IntOr(k.Arg(2), -1), Math.Max(rank, 1));
        // 0 copies a dimension (dynamic batch survives), -1 takes what is left.
        var shape = new List<long>();
        for (long d = 0; d < start; d++) shape.Add(0);
        shape.Add(-1);
        var input = c.Info(k.Arg(0)).Shape;
        for (long d = end + 1; d < rank; d++) shape.Add(input[(int)d]);
        Bind(c, k, c.Builder.Add("Reshape", [c.Name(k.Arg(0)), c.Builder.Ints([.. shape])]));
    }

    private static void Transpose(OnnxExportContext c, TracedCall k)
    {
        int rank = c.Info(k.Arg(0)).Rank;
        long a = Normalize(k.Arg(1).Int, rank), b = Normalize(k.Arg(2).Int, rank);
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        Bind(c, k, c.Builder.Add("Transpose", [c.Name(k.Arg(0))], Attr("perm", perm)));
    }

    private static void Slice(OnnxExportContext c, TracedCall k, long dim, long start, long end, long step) =>
        Bind(c, k, c.Builder.Add("Slice", [c.Name(k.Arg(0)), c.Builder.Ints([start]), c.Builder.Ints([end]), c.Builder.Ints([dim]), c.Builder.Ints([step])]));

    private static void Split(OnnxExportContext c, TracedCall k)
    {
        var values = k.Outputs[0].Values;
        long dim = Dim(c, k, 2);
        long[] sizes = [.. values.Select(v => c.Info(v).Shape[(int)dim])];
        var outs = c.Builder.AddMany("Split", [c.Name(k.Arg(0)), c.Builder.Ints(sizes)], values.Count, Attr("axis", dim));
        for (int i = 0; i < values.Count; i++) c.Bind(values[i], outs[i]);
    }

    private static void Pad(OnnxExportContext c, TracedCall k)
    {
        var info = c.Info(k.Arg(0));
        var torchPads = k.Arg(1).Ints;
        string mode = k.Op.Name == "aten::constant_pad_nd" || k.Arg(2).IsNone ? "constant" : k.Arg(2).Text;
        double value = k.Op.Name == "aten::constant_pad_nd" ? DoubleOr(k.Arg(2), 0) : DoubleOr(k.Arg(3), 0);
        // PyTorch lists (before, after) pairs from the last dimension backwards; ONNX all befores, then all afters.
        var pads = new long[2 * info.Rank];
        for (int i = 0; i < torchPads.Count / 2; i++)
        {
            int d = info.Rank - 1 - i;
            pads[d] = torchPads[2 * i];
            pads[info.Rank + d] = torchPads[2 * i + 1];
        }
        string onnxMode = mode switch { "constant" => "constant", "reflect" => "reflect", "replicate" => "edge", _ => throw new NotSupportedException($"padding mode '{mode}'") };
        var inputs = new List<string> { c.Name(k.Arg(0)), c.Builder.Ints(pads) };
        if (onnxMode == "constant") inputs.Add(c.Builder.Scalar(value, info.DType));
        Bind(c, k, c.Builder.Add("Pad", inputs, Attr("mode", onnxMode)));
    }

    private static void Linear(OnnxExportContext c, TracedCall k)
    {
        var weight = k.Arg(1);
        string transposed = c.IsConstant(weight.Value)
            ? c.Builder.Initializer(c.Constant(weight.Value).Transpose(0, 1).Contiguous(), "weight_t")
            : c.Builder.Add("Transpose", [c.Name(weight)], Attr("perm", [1L, 0]));
        var y = c.Builder.Add("MatMul", [c.Name(k.Arg(0)), transposed]);
        Bind(c, k, k.Arg(2).IsNone ? y : c.Builder.Add("Add", [y, c.Name(k.Arg(2))]));
    }

    private static void Conv(OnnxExportContext c, TracedCall k)
    {
        var w = c.Info(k.Arg(1)).Shape;
        var pads = Pair(k.Arg(4), 0);
        var inputs = new List<string> { c.Name(k.Arg(0)), c.Name(k.Arg(1)) };
        if (!k.Arg(2).IsNone) inputs.Add(c.Name(k.Arg(2)));
        Bind(c, k, c.Builder.Add("Conv", inputs,
            Attr("kernel_shape", [w[2], w[3]]), Attr("strides", Pair(k.Arg(3), 1)), Attr("pads", [pads[0], pads[1], pads[0], pads[1]]),
            Attr("dilations", Pair(k.Arg(5), 1)), Attr("group", IntOr(k.Arg(6), 1))));
    }

    private static void ConvTranspose(OnnxExportContext c, TracedCall k)
    {
        var w = c.Info(k.Arg(1)).Shape;
        var pads = Pair(k.Arg(4), 0);
        var inputs = new List<string> { c.Name(k.Arg(0)), c.Name(k.Arg(1)) };
        if (!k.Arg(2).IsNone) inputs.Add(c.Name(k.Arg(2)));
        Bind(c, k, c.Builder.Add("ConvTranspose", inputs,
            Attr("kernel_shape", [w[2], w[3]]), Attr("strides", Pair(k.Arg(3), 1)), Attr("pads", [pads[0], pads[1], pads[0], pads[1]]),
            Attr("output_padding", Pair(k.Arg(5), 0)), Attr("group", IntOr(k.Arg(6), 1)), Attr("dilations", Pair(k.Arg(7), 1))));
    }

    private static void BatchNorm(OnnxExportContext c, TracedCall k)
    {
        // batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled)
        if (k.Arg(5).Int != 0) throw new NotSupportedException("batch norm in training mode cannot be exported; put the module in eval mode");
        long channels = c.Info(k.Arg(0)).Shape[1];
        var dtype = c.Info(k.Arg(0)).DType;
        string Or(int index, double fill) => k.Arg(index).IsNone ? c.Builder.Initializer(Tensor.Full([channels], fill, dtype), "bn_default") : c.Name(k.Arg(index));
        Bind(c, k, c.Builder.Add("BatchNormalization", [c.Name(k.Arg(0)), Or(1, 1), Or(2, 0), Or(3, 0), Or(4, 1)], Attr("epsilon", (float)Number(k.Arg(7)))));
    }

    private static void LayerNorm(OnnxExportContext c, TracedCall k)
    {
        // layer_norm(input, normalized_shape, weight, bias, eps, cudnn_enable)
        var shape = k.Arg(1).Ints;
        var dtype = c.Info(k.Arg(0)).DType;
        string Or(int index, double fill) => k.Arg(index).IsNone ? c.Builder.Initializer(Tensor.Full([.. shape], fill, dtype), "ln_default") : c.Name(k.Arg(index));
        var outs = c.Builder.AddMany("LayerNormalization", [c.Name(k.Arg(0)), Or(2, 1), Or(3, 0)], 1,
            Attr("axis", (long)-shape.Count), Attr("epsilon", (float)DoubleOr(k.Arg(4), 1e-5)));
        Bind(c, k, outs[0]);
    }

    private static void GroupNorm(OnnxExportContext c, TracedCall k)
    {
        // group_norm(input, num_groups, weight, bias, eps): normalise [N, G, -1] then scale per channel (opset 17 has no GroupNormalization).
        var info = c.Info(k.Arg(0));
        long groups = k.Arg(1).Int;
        var b = c.Builder;
        var x = c.Name(k.Arg(0));
        var grouped = b.Add("Reshape", [x, b.Ints([0, groups, -1])]);
        var mean = b.Add("ReduceMean", [grouped], Attr("axes", [2L]), Attr("keepdims", 1L));
        var centred = b.Add("Sub", [grouped, mean]);
        var variance = b.Add("ReduceMean", [b.Add("Mul", [centred, centred])], Attr("axes", [2L]), Attr("keepdims", 1L));
        var normed = b.Add("Div", [centred, b.Add("Sqrt", [b.Add("Add", [variance, b.Scalar(DoubleOr(k.Arg(4), 1e-5), info.DType)])])]);
        var y = b.Add("Reshape", [normed, b.Add("Shape", [x])]);
        var perChannel = b.Ints([info.Shape[1], .. Enumerable.Repeat(1L, info.Rank - 2)]);
        if (!k.Arg(2).IsNone) y = b.Add("Mul", [y, b.Add("Reshape", [c.Name(k.Arg(2)), perChannel])]);
        if (!k.Arg(3).IsNone) y = b.Add("Add", [y, b.Add("Reshape", [c.Name(k.Arg(3)), perChannel])]);
        Bind(c, k, y);
    }

    private static void Pool(OnnxExportContext c, TracedCall k, string op)
    {
        // max_pool2d(input, kernel, stride, padding, dilation, ceil_mode); avg_pool2d(input, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)
        var kernel = Pair(k.Arg(1), 1);
        var stride = k.Arg(2).IsNone || k.Arg(2).Kind == TracedKind.IntList && k.Arg(2).Ints.Count == 0 ? kernel : Pair(k.Arg(2), kernel[0]);
        var pads = Pair(k.Arg(3), 0);
        var attributes = new List<Onnx.Proto.AttributeProto> { Attr("kernel_shape", kernel), Attr("strides", stride), Attr("pads", [pads[0], pads[1], pads[0], pads[1]]) };
        if (op == "MaxPool")
        {
            attributes.Add(Attr("dilations", Pair(k.Arg(4), 1)));
            attributes.Add(Attr("ceil_mode", IntOr(k.Arg(5), 0)));
        }
        else
        {
            if (!k.Arg(6).IsNone) throw new NotSupportedException("avg_pool2d with divisor_override");
            attributes.Add(Attr("ceil_mode", IntOr(k.Arg(4), 0)));
            attributes.Add(Attr("count_include_pad", k.Arg(5).IsNone ? 1L : k.Arg(5).Int));
        }
        Bind(c, k, c.Builder.Add(op, [c.Name(k.Arg(0))], [.. attributes]));
    }

    private static void AdaptiveAvgPool(OnnxExportContext c, TracedCall k)
    {
        var input = c.Info(k.Arg(0)).Shape;
        var output = k.Arg(1).Ints;
        long h = input[^2], w = input[^1], oh = output[0], ow = output[1];
        if (oh == 1 && ow == 1)
        {
            Bind(c, k, c.Builder.Add("GlobalAveragePool", [c.Name(k.Arg(0))]));
            return;
        }
        if (h % oh != 0 || w % ow != 0) throw new NotSupportedException($"adaptive average pooling from {h}x{w} to {oh}x{ow}: only whole-number ratios map to AveragePool");
        long[] kernel = [h / oh, w / ow];
        Bind(c, k, c.Builder.Add("AveragePool", [c.Name(k.Arg(0))], Attr("kernel_shape", kernel), Attr("strides", kernel)));
    }

    private static void Resize(OnnxExportContext c, TracedCall k, string mode, bool alignCorners, TracedArg scaleFactors)
    {
        var output = c.Info(k.Output).Shape;
        var b = c.Builder;
        var x = c.Name(k.Arg(0));
        string scales = "", sizes = "";
        if (scaleFactors.Kind == TracedKind.DoubleList && k.Arg(1).IsNone)
        {
            // ATen places the samples with the scale given (not output / input): so does ONNX with scales.
            scales = b.Initializer(Tensor.From([1f, 1f, (float)scaleFactors.Doubles[0], (float)scaleFactors.Doubles[1]]), "scales");
        }
        else
        {
            // sizes = [N, C] of the input (so a dynamic batch survives) followed by the traced output size.
            var batchChannels = b.Add("Slice", [b.Add("Shape", [x]), b.Ints([0]), b.Ints([2])]);
            sizes = b.Add("Concat", [batchChannels, b.Ints([output[2], output[3]])], Attr("axis", 0L));
        }
        var attributes = new List<Onnx.Proto.AttributeProto>
        {
            Attr("mode", mode),
            Attr("coordinate_transformation_mode", mode == "nearest" ? "asymmetric" : alignCorners ? "align_corners" : "pytorch_half_pixel"),
        };
        if (mode == "nearest") attributes.Add(Attr("nearest_mode", "floor"));
        if (mode == "cubic") attributes.Add(Attr("cubic_coeff_a", -0.75f));
        Bind(c, k, b.Add("Resize", sizes.Length > 0 ? [x, "", "", sizes] : [x, "", scales], [.. attributes]));
    }

    private static long Dim(OnnxExportContext c, TracedCall k, int index) => Normalize(k.Arg(index).Int, Math.Max(c.Info(k.Arg(0)).Rank, 1));

    private static long[] Dims(OnnxExportContext c, TracedCall k, int index)
    {
        int rank = Math.Max(c.Info(k.Arg(0)).Rank, 1);
        var arg = k.Arg(index);
        return arg.Kind == TracedKind.Int ? [Normalize(arg.Int, rank)] : [.. arg.Ints.Select(d => Normalize(d, rank))];
    }

    private static long Normalize(long dim, int rank) => dim < 0 ? dim + rank : dim;

    private static long[] Pair(TracedArg arg, long fallback) => arg.Kind switch
    {
        TracedKind.IntList when arg.Ints.Count == 2 => [arg.Ints[0], arg.Ints[1]],
        TracedKind.IntList when arg.Ints.Count == 1 => [arg.Ints[0], arg.Ints[0]],
        TracedKind.Int => [arg.Int, arg.Int],
        TracedKind.Default or TracedKind.None => [fallback, fallback],
        _ => throw new NotSupportedException($"expected one or two ints, got {arg}"),
    };

    private static double Number(TracedArg arg) => arg.Kind switch
    {
        TracedKind.Double => arg.Double,
        TracedKind.Int or TracedKind.Bool => arg.Int,
        _ => throw new NotSupportedException($"expected a number, got {arg}"),
    };

    private static double DoubleOr(TracedArg arg, double fallback) => arg.IsNone ? fallback : Number(arg);

    private static long IntOr(TracedArg arg, long fallback) => arg.IsNone ? fallback : arg.Int;

    private static bool IsFloat(DType t) => t is DType.Float32 or DType.Float64 or DType.Float16 or DType.BFloat16;
}
