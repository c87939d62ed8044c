using Exemplar.Models.Onnx.Proto;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Tracing;
using Google.Protobuf;

namespace Exemplar.Models.Onnx.Export;

/// <summary>
/// Exports a function over Exemplar.Torch tensors — a module's forward, or any pipeline of tensor operations — as an
/// ONNX graph: the function runs once under an <see cref="OpTrace"/>, each recorded ATen call is mapped to ONNX
/// operators (<see cref="AtenToOnnx"/>), tensors the function reads but does not compute become initializers (named
/// after the module's parameters and buffers when a module is given), BatchNorm is folded into the convolution before
/// it, and nodes no output depends on are dropped. An ATen operator with no mapping is an error naming it.
/// </summary>
/// <example><code>
/// using var x = Tensor.Randn([1, 3, 224, 224]);
/// byte[] onnx = OnnxExporter.Export(inputs => [encoder.Forward(inputs[0])], [x], new OnnxExportOptions
/// {
///     InputNames = ["image"], OutputNames = ["features"],
///     DynamicAxes = new Dictionary&lt;string, IReadOnlyDictionary&lt;int, string&gt;&gt; { ["image"] = new Dictionary&lt;int, string&gt; { [0] = "batch" } },
/// }, module: encoder).ToByteArray();
/// </code></example>
public static class OnnxExporter
{
    /// <summary>The producer name written into exported models.</summary>
    public const string ProducerName = "exemplar";

    /// <summary>Traces <paramref name="function"/> on <paramref name="inputs"/> and returns the ONNX model.</summary>
    /// <param name="function">The computation: graph inputs → graph outputs (run once, without gradients).</param>
    /// <param name="inputs">Example inputs; their shapes are the traced ones (see <see cref="OnnxExportOptions.DynamicAxes"/>).</param>
    /// <param name="options">Names, dynamic axes, opset.</param>
    /// <param name="module">A module whose parameter and buffer names name the initializers (optional).</param>
    /// <exception cref="NotSupportedException">The function used an ATen operator (or a form of one) with no ONNX mapping.</exception>
    /// <exception cref="TraceException">The function did something a graph cannot express (data-dependent control flow, writes into views, random numbers).</exception>
    public static OnnxExport Export(Func<Tensor[], Tensor[]> function, Tensor[] inputs, OnnxExportOptions? options = null, Module? module = null)
    {
        options ??= new OnnxExportOptions();
        var inputNames = options.InputNames ?? [.. Enumerable.Range(0, inputs.Length).Select(i => $"input{i}")];
        if (inputNames.Count != inputs.Length) throw new ArgumentException($"{inputNames.Count} input name(s) for {inputs.Length} input(s)");
        if (options.Opset < 17) throw new ArgumentException($"opset {options.Opset}: the exporter writes opset 17 or later");

        using var noGrad = LibTorch.NoGrad();
        using var scope = DisposeScope.Begin();
        using var trace = OpTrace.Start(inputs);
        var outputs = function(inputs);
        trace.Stop();
        var outputNames = options.OutputNames ?? [.. Enumerable.Range(0, outputs.Length).Select(i => $"output{i}")];
        if (outputNames.Count != outputs.Length) throw new ArgumentException($"{outputNames.Count} output name(s) for {outputs.Length} output(s)");
        int[] outputValues = [.. outputs.Select(trace.ValueOf)];

        using var builder = new OnnxGraphBuilder();
        var context = new OnnxExportContext(trace, builder, ParameterNames(module, trace));
        for (int i = 0; i < inputs.Length; i++)
        {
            builder.Reserve(inputNames[i]);
            context.Bind(i, inputNames[i]);
        }
        foreach (var name in outputNames) builder.Reserve(name);
        foreach (var call in trace.Calls) AtenToOnnx.Map(context, call);

        var graph = new GraphProto { Name = options.GraphName };
        for (int i = 0; i < inputs.Length; i++) graph.Input.Add(ValueInfo(inputNames[i], trace.Info(i), options));
        for (int o = 0; o < outputs.Length; o++)
        {
            // Every output gets its own node, so outputs can be renamed freely and may repeat an input or a constant.
            builder.Nodes.Add(new NodeProto { OpType = "Identity", Name = builder.Fresh($"output_{outputNames[o]}"), Input = { context.Name(outputValues[o]) }, Output = { outputNames[o] } });
            graph.Output.Add(ValueInfo(outputNames[o], trace.Info(outputValues[o]), options));
        }
        if (options.FoldBatchNorm) OnnxGraphPasses.FoldBatchNorm(builder, graph);
        OnnxGraphPasses.RemoveUnused(builder, graph);
        builder.Finish(graph);

        var model = new ModelProto
        {
            IrVersion = 8,
            ProducerName = ProducerName,
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        foreach (var (key, value) in options.Metadata) model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        return new OnnxExport(model);
    }

    /// <summary>Exports <paramref name="module"/>'s one-input forward (<c>module.Forward(x)</c> through <paramref name="forward"/>).</summary>
    public static OnnxExport Export(Module module, Func<Tensor, Tensor> forward, Tensor input, OnnxExportOptions? options = null) =>
        Export(inputs => [forward(inputs[0])], [input], options, module);

    private static Dictionary<int, string> ParameterNames(Module? module, OpTrace trace)
    {
        var names = new Dictionary<int, string>();
        if (module is null) return names;
        foreach (var (name, tensor) in module.NamedParameters().Concat(module.NamedBuffers()))
        {
            if (trace.TryGetValue(tensor, out int id) && trace.Constants.ContainsKey(id)) names.TryAdd(id, name);
        }
        return names;
    }

    private static ValueInfoProto ValueInfo(string name, TracedValueInfo info, OnnxExportOptions options)
    {
        var shape = new TensorShapeProto();
        var dynamic = options.DynamicAxes.GetValueOrDefault(name);
        for (int d = 0; d < info.Rank; d++)
        {
            shape.Dim.Add(dynamic is not null && dynamic.TryGetValue(d, out var symbol)
                ? new TensorShapeProto.Types.Dimension { DimParam = symbol }
                : new TensorShapeProto.Types.Dimension { DimValue = info.Shape[d] });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)OnnxGraphBuilder.OnnxTypeOf(info.DType), Shape = shape } },
        };
    }
}

/// <summary>An exported ONNX model.</summary>
public sealed class OnnxExport
{
    internal OnnxExport(ModelProto model) => Model = model;

    internal ModelProto Model { get; }

    /// <summary>The ONNX operator types used, with counts (for reports and tests).</summary>
    public IReadOnlyDictionary<string, int> OperatorCounts => Model.Graph.Node.GroupBy(n => n.OpType).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>The serialized model.</summary>
    public byte[] ToByteArray() => Model.ToByteArray();
}
