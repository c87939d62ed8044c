namespace Exemplar.Torch;

/// <summary>The ATen operators the typed API calls, resolved once each.</summary>
internal static class Aten
{
    // Creation.
    internal static readonly Op Zeros = Op.Get("aten::zeros");
    internal static readonly Op Ones = Op.Get("aten::ones");
    internal static readonly Op Full = Op.Get("aten::full");
    internal static readonly Op Empty = Op.Get("aten::empty", "memory_format");
    internal static readonly Op ZerosLike = Op.Get("aten::zeros_like");
    internal static readonly Op OnesLike = Op.Get("aten::ones_like");
    internal static readonly Op ArangeStartStep = Op.Get("aten::arange", "start_step");
    internal static readonly Op Linspace = Op.Get("aten::linspace");
    internal static readonly Op EyeM = Op.Get("aten::eye", "m");
    internal static readonly Op RandGenerator = Op.Get("aten::rand", "generator");
    internal static readonly Op RandnGenerator = Op.Get("aten::randn", "generator");
    internal static readonly Op RandintLowGenerator = Op.Get("aten::randint", "low_generator");
    internal static readonly Op RandpermGenerator = Op.Get("aten::randperm", "generator");

    // Conversion and copies.
    internal static readonly Op ToDtype = Op.Get("aten::to", "dtype");
    internal static readonly Op ToDevice = Op.Get("aten::to", "device");
    internal static readonly Op Detach = Op.Get("aten::detach");
    internal static readonly Op Clone = Op.Get("aten::clone");
    internal static readonly Op Contiguous = Op.Get("aten::contiguous");
    internal static readonly Op Copy_ = Op.Get("aten::copy_");
    internal static readonly Op FillScalar_ = Op.Get("aten::fill_", "Scalar");
    internal static readonly Op Zero_ = Op.Get("aten::zero_");

    // Arithmetic.
    internal static readonly Op AddTensor = Op.Get("aten::add", "Tensor");
    internal static readonly Op AddScalar = Op.Get("aten::add", "Scalar");
    internal static readonly Op SubTensor = Op.Get("aten::sub", "Tensor");
    internal static readonly Op SubScalar = Op.Get("aten::sub", "Scalar");
    internal static readonly Op RsubScalar = Op.Get("aten::rsub", "Scalar");
    internal static readonly Op MulTensor = Op.Get("aten::mul", "Tensor");
    internal static readonly Op MulScalar = Op.Get("aten::mul", "Scalar");
    internal static readonly Op DivTensor = Op.Get("aten::div", "Tensor");
    internal static readonly Op DivScalar = Op.Get("aten::div", "Scalar");
    internal static readonly Op DivScalarMode = Op.Get("aten::div", "Scalar_mode");
    internal static readonly Op Neg = Op.Get("aten::neg");
    internal static readonly Op PowTensorScalar = Op.Get("aten::pow", "Tensor_Scalar");
    internal static readonly Op PowTensorTensor = Op.Get("aten::pow", "Tensor_Tensor");
    internal static readonly Op Remainder = Op.Get("aten::remainder", "Scalar");
    internal static readonly Op Clamp = Op.Get("aten::clamp");
    internal static readonly Op AddTensor_ = Op.Get("aten::add_", "Tensor");
    internal static readonly Op MulScalar_ = Op.Get("aten::mul_", "Scalar");
    internal static readonly Op Lerp = Op.Get("aten::lerp", "Scalar");

    // Comparison and logic.
    internal static readonly Op EqTensor = Op.Get("aten::eq", "Tensor");
    internal static readonly Op EqScalar = Op.Get("aten::eq", "Scalar");
    internal static readonly Op NeTensor = Op.Get("aten::ne", "Tensor");
    internal static readonly Op NeScalar = Op.Get("aten::ne", "Scalar");
    internal static readonly Op LtTensor = Op.Get("aten::lt", "Tensor");
    internal static readonly Op LtScalar = Op.Get("aten::lt", "Scalar");
    internal static readonly Op LeTensor = Op.Get("aten::le", "Tensor");
    internal static readonly Op LeScalar = Op.Get("aten::le", "Scalar");
    internal static readonly Op GtTensor = Op.Get("aten::gt", "Tensor");
    internal static readonly Op GtScalar = Op.Get("aten::gt", "Scalar");
    internal static readonly Op GeTensor = Op.Get("aten::ge", "Tensor");
    internal static readonly Op GeScalar = Op.Get("aten::ge", "Scalar");
    internal static readonly Op BitwiseAnd = Op.Get("aten::bitwise_and", "Tensor");
    internal static readonly Op BitwiseOr = Op.Get("aten::bitwise_or", "Tensor");
    internal static readonly Op BitwiseXor = Op.Get("aten::bitwise_xor", "Tensor");
    internal static readonly Op BitwiseNot = Op.Get("aten::bitwise_not");
    internal static readonly Op AllClose = Op.Get("aten::allclose");
    internal static readonly Op Equal = Op.Get("aten::equal");
    internal static readonly Op All = Op.Get("aten::all");
    internal static readonly Op Any = Op.Get("aten::any");

    // Reductions.
    internal static readonly Op Sum = Op.Get("aten::sum");
    internal static readonly Op SumDim = Op.Get("aten::sum", "dim_IntList");
    internal static readonly Op Mean = Op.Get("aten::mean");
    internal static readonly Op MeanDim = Op.Get("aten::mean", "dim");
    internal static readonly Op Max = Op.Get("aten::max");
    internal static readonly Op MaxDim = Op.Get("aten::max", "dim");
    internal static readonly Op MaxOther = Op.Get("aten::maximum");
    internal static readonly Op Min = Op.Get("aten::min");
    internal static readonly Op MinDim = Op.Get("aten::min", "dim");
    internal static readonly Op MinOther = Op.Get("aten::minimum");
    internal static readonly Op Argmax = Op.Get("aten::argmax");
    internal static readonly Op Argmin = Op.Get("aten::argmin");
    internal static readonly Op StdCorrection = Op.Get("aten::std", "correction");
    internal static readonly Op VarCorrection = Op.Get("aten::var", "correction");
    internal static readonly Op NormScalarOptDim = Op.Get("aten::norm", "ScalarOpt_dim");
    internal static readonly Op NormScalar = Op.Get("aten::norm", "Scalar");
    internal static readonly Op Logsumexp = Op.Get("aten::logsumexp");
    internal static readonly Op Cumsum = Op.Get("aten::cumsum");
    internal static readonly Op Amax = Op.Get("aten::amax");

    // Linear algebra.
    internal static readonly Op Matmul = Op.Get("aten::matmul");
    internal static readonly Op Bmm = Op.Get("aten::bmm");
    internal static readonly Op Einsum = Op.Get("aten::einsum");

    // Shapes and views.
    internal static readonly Op View = Op.Get("aten::view");
    internal static readonly Op Reshape = Op.Get("aten::reshape");
    internal static readonly Op Permute = Op.Get("aten::permute");
    internal static readonly Op Movedim = Op.Get("aten::movedim", "intlist");
    internal static readonly Op Transpose = Op.Get("aten::transpose", "int");
    internal static readonly Op Flatten = Op.Get("aten::flatten", "using_ints");
    internal static readonly Op Unflatten = Op.Get("aten::unflatten", "int");
    internal static readonly Op Expand = Op.Get("aten::expand");
    internal static readonly Op Repeat = Op.Get("aten::repeat");
    internal static readonly Op Squeeze = Op.Get("aten::squeeze");
    internal static readonly Op SqueezeDim = Op.Get("aten::squeeze", "dim");
    internal static readonly Op Unsqueeze = Op.Get("aten::unsqueeze");
    internal static readonly Op Select = Op.Get("aten::select", "int");
    internal static readonly Op Slice = Op.Get("aten::slice", "Tensor");
    internal static readonly Op Narrow = Op.Get("aten::narrow");
    internal static readonly Op Cat = Op.Get("aten::cat");
    internal static readonly Op Stack = Op.Get("aten::stack");
    internal static readonly Op SplitTensor = Op.Get("aten::split", "Tensor");
    internal static readonly Op SplitWithSizes = Op.Get("aten::split_with_sizes");
    internal static readonly Op Chunk = Op.Get("aten::chunk");
    internal static readonly Op Flip = Op.Get("aten::flip");
    internal static readonly Op UnfoldDim = Op.Get("aten::unfold");
    internal static readonly Op AsStrided = Op.Get("aten::as_strided");

    // Indexing.
    internal static readonly Op Index = Op.Get("aten::index", "Tensor");
    internal static readonly Op IndexPut_ = Op.Get("aten::index_put_");
    internal static readonly Op MaskedFillScalar = Op.Get("aten::masked_fill", "Scalar");
    internal static readonly Op MaskedFillTensor = Op.Get("aten::masked_fill", "Tensor");
    internal static readonly Op WhereSelf = Op.Get("aten::where", "self");
    internal static readonly Op WhereScalarOther = Op.Get("aten::where", "ScalarOther");
    internal static readonly Op Gather = Op.Get("aten::gather");
    internal static readonly Op ScatterSrc = Op.Get("aten::scatter", "src");
    internal static readonly Op ScatterValue = Op.Get("aten::scatter", "value");
    internal static readonly Op ScatterAdd = Op.Get("aten::scatter_add");
    internal static readonly Op IndexSelect = Op.Get("aten::index_select");
    internal static readonly Op Topk = Op.Get("aten::topk");
    internal static readonly Op Sort = Op.Get("aten::sort");
    internal static readonly Op Nonzero = Op.Get("aten::nonzero");
}
