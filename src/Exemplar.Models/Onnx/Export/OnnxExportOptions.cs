namespace Exemplar.Models.Onnx.Export;

/// <summary>How <see cref="OnnxExporter"/> writes a traced function as an ONNX graph.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Names of the graph inputs, one per example input (default <c>input0</c>, <c>input1</c>, …).</summary>
    public IReadOnlyList<string>? InputNames { get; init; }

    /// <summary>Names of the graph outputs, one per returned tensor (default <c>output0</c>, …).</summary>
    public IReadOnlyList<string>? OutputNames { get; init; }

    /// <summary>
    /// Axes whose size may change, by graph input or output name: axis → symbolic name (e.g. <c>{ "image": { 0: "batch" } }</c>).
    /// The traced function must not have baked that size into a shape it computed (sizes read from
    /// <c>Tensor.Shape</c> are traced as constants); the exporter keeps the axis symbolic where the graph allows it.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<int, string>> DynamicAxes { get; init; } = new Dictionary<string, IReadOnlyDictionary<int, string>>();

    /// <summary>The standard operator set written (17: what Debian's onnx 1.12 checker knows).</summary>
    public int Opset { get; init; } = 17;

    /// <summary>Fold BatchNormalization into the convolution before it (inference graphs).</summary>
    public bool FoldBatchNorm { get; init; } = true;

    /// <summary>The graph's name.</summary>
    public string GraphName { get; init; } = "exemplar";

    /// <summary>Key/value metadata stored in the model (<c>metadata_props</c>).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
