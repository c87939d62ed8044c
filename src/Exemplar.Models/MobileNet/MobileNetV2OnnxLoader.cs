using Exemplar.Models.Onnx;
using Exemplar.Torch;
using Exemplar.Torch.Nn;

namespace Exemplar.Models.MobileNet;

/// <summary>
/// Maps the ONNX model zoo's statically quantised MobileNetV2-1.0 onto <see cref="MobileNetV2"/>, walking the graph in
/// topological order beside the network: QuantizeLinear; one QLinearConv per convolution (weight int8 with per-channel
/// scale, int32 bias at scale input_scale · weight_scale, batch norm already folded, ReLU6 folded into the output
/// range); a QLinearAdd after each residual block; QLinearGlobalAveragePool; the flatten (DequantizeLinear, Shape,
/// Gather, Unsqueeze, Concat, Reshape); QLinearMatMul and QLinearAdd for the classifier; DequantizeLinear. Every node's
/// operator, wiring, attributes and tensor shapes are checked; the first mismatch raises an error naming the file.
/// </summary>
internal sealed class MobileNetV2OnnxLoader
{
    private const string MicrosoftDomain = "com.microsoft";
    private static readonly string[] FlattenOps = ["DequantizeLinear", "Shape", "Gather", "Unsqueeze", "Concat", "Reshape"];

    private readonly OnnxGraph _graph;
    private readonly Dictionary<string, Tensor> _state = new(StringComparer.Ordinal);
    private int _next;
    private string _current = "";

    private readonly List<QuantizedValue> _levelOutputs = [];

    private MobileNetV2OnnxLoader(OnnxGraph graph) => _graph = graph;

    /// <summary>A uint8 value of the quantised graph with the names of its scale and zero point.</summary>
    internal sealed record QuantizedValue(string Name, string Scale, string ZeroPoint);

    /// <summary>
    /// The quantised output of every <c>features.i</c> block of the zoo file (after checking the whole graph maps onto
    /// MobileNetV2, as <see cref="Load"/> does).
    /// </summary>
    internal static IReadOnlyList<QuantizedValue> LevelOutputs(OnnxModel onnx)
    {
        using var model = new MobileNetV2();
        using var scope = DisposeScope.Begin();
        var loader = new MobileNetV2OnnxLoader(onnx.Graph);
        loader.CheckOperatorSets(onnx);
        loader.Map(model);
        return loader._levelOutputs;
    }

    public static MobileNetV2 Load(string path)
    {
        var onnx = OnnxModel.Load(path);
        var model = new MobileNetV2();
        try
        {
            using var scope = DisposeScope.Begin();
            var loader = new MobileNetV2OnnxLoader(onnx.Graph);
            loader.CheckOperatorSets(onnx);
            loader.Map(model);
            model.LoadStateDict(loader._state);
            model.Eval();
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The graph uses standard operators and onnxruntime's (QLinearAdd, QLinearGlobalAveragePool): both must be imported.</summary>
    private void CheckOperatorSets(OnnxModel onnx)
    {
        foreach (string domain in new[] { "", MicrosoftDomain })
        {
            if (!onnx.OpsetImports.Any(o => o.Domain == domain || (domain == "" && o.Domain == "ai.onnx")))
            {
                string imports = onnx.OpsetImports.Count == 0 ? "none" : string.Join(", ", onnx.OpsetImports.Select(o => $"'{o.Domain}' {o.Version}"));
                throw Mismatch($"it does not import the '{domain}' operator set that its operators need (imports: {imports})");
            }
        }
    }

    private void Map(MobileNetV2 model)
    {
        var inputs = _graph.Inputs.Where(i => _graph.Initializer(i.Name) is null).ToList();
        if (inputs.Count != 1 || _graph.Outputs.Count != 1)
        {
            throw Mismatch($"expected one image input and one logits output, found {inputs.Count} inputs and {_graph.Outputs.Count} outputs");
        }
        var quantize = Take("QuantizeLinear", "", "the input quantisation");
        if (quantize.Inputs[0] != inputs[0].Name) throw Mismatch($"{quantize} reads '{quantize.Inputs[0]}', not the graph input '{inputs[0].Name}'");
        _current = quantize.Outputs[0];

        for (int i = 0; i < model.Features.Count; i++)
        {
            switch (model.Features[i])
            {
                case InvertedResidual block:
                    string blockInput = _current;
                    foreach (var (name, conv, relu6) in block.Convolutions) MapConvolution($"features.{i}.{name}", conv, relu6);
                    if (block.UsesResidual) MapResidualAdd($"features.{i}", blockInput);
                    break;
                case Sequential convRelu6:
                    MapConvolution($"features.{i}.0", (Conv2d)convRelu6[0], relu6: true);
                    break;
            }
            // QLinearConv and QLinearAdd both take the output's scale and zero point as inputs 6 and 7.
            var producer = _graph.Nodes[_next - 1];
            _levelOutputs.Add(new QuantizedValue(_current, producer.Inputs[6], producer.Inputs[7]));
        }
        MapHead((Linear)model.Classifier[1]);
        if (_next != _graph.Nodes.Count)
        {
            throw Mismatch($"the graph has {_graph.Nodes.Count} nodes but MobileNetV2 ends at node {_next - 1}; next is {_graph.Nodes[_next]}");
        }
    }

    private void MapConvolution(string name, Conv2d conv, bool relu6)
    {
        var node = Take("QLinearConv", "", name, inputCount: 9);
        ExpectReads(node, 0, _current, name);
        var weight = Initializer(node, 3, name, OnnxDataType.Int8, OnnxDataType.UInt8);
        ExpectShape(weight, conv.Weight.Shape, $"{name}.weight");
        long kernel = conv.Weight.Size(2);
        ExpectInts(node, "group", [conv.Groups], [1], name);
        ExpectInts(node, "strides", [conv.Stride, conv.Stride], [1, 1], name);
        ExpectInts(node, "pads", [conv.Padding, conv.Padding, conv.Padding, conv.Padding], [0, 0, 0, 0], name);
        ExpectInts(node, "dilations", [conv.Dilation, conv.Dilation], [1, 1], name);
        ExpectInts(node, "kernel_shape", [kernel, kernel], [kernel, kernel], name);
        if (node.Attribute("auto_pad") is { } autoPad && autoPad.S is not ("" or "NOTSET"))
        {
            throw Mismatch($"{node} ({name}) pads with auto_pad={autoPad.S}, expected explicit pads");
        }
        var inputScale = Initializer(node, 1, name, OnnxDataType.Float);
        var weightScale = Initializer(node, 4, name, OnnxDataType.Float);
        var weightZero = Initializer(node, 5, name, weight.DataType);
        var bias = Initializer(node, 8, name, OnnxDataType.Int32);
        ExpectShape(bias, [conv.Weight.Size(0)], $"{name}.bias");
        if (relu6) ExpectRelu6Range(node, name);

        var w = OnnxQuantization.Dequantize(weight, weightScale, weightZero, axis: 0);
        // QLinearConv's bias is int32 at scale input_scale · weight_scale (per output channel), zero point 0.
        var biasScale = weightScale.ToTensor() * OnnxQuantization.ScalarOf(inputScale);
        var b = OnnxQuantization.Dequantize(bias.ToTensor(), biasScale, null, axis: 0);
        _state[$"{name}.weight"] = w;
        _state[$"{name}.bias"] = b;
        _current = node.Outputs[0];
    }

    /// <summary>Where ReLU6 sits the quantiser folded the clip into the output range: nothing below 0 representable, nothing above 6.</summary>
    private void ExpectRelu6Range(OnnxNode node, string name)
    {
        var scale = OnnxQuantization.ScalarOf(Initializer(node, 6, name, OnnxDataType.Float));
        var zeroTensor = Initializer(node, 7, name, OnnxDataType.UInt8, OnnxDataType.Int8);
        double zero = OnnxQuantization.ScalarOf(zeroTensor);
        (double qmin, double qmax) = zeroTensor.DataType == OnnxDataType.UInt8 ? (0.0, 255.0) : (-128.0, 127.0);
        double low = (qmin - zero) * scale, high = (qmax - zero) * scale;
        if (low != 0 || high > 6 * (1 + 1e-4))
        {
            throw Mismatch($"{node} ({name}) should be followed by ReLU6, but its quantised output spans [{low:g4}, {high:g4}]");
        }
    }

    private void MapResidualAdd(string name, string blockInput)
    {
        var node = Take("QLinearAdd", MicrosoftDomain, $"the residual add of {name}", inputCount: 8);
        var read = new[] { node.Inputs[0], node.Inputs[3] };
        if (!(read.Contains(blockInput) && read.Contains(_current)) || blockInput == _current)
        {
            throw Mismatch($"{node} (residual of {name}) adds '{read[0]}' and '{read[1]}', expected the block input '{blockInput}' and its output '{_current}'");
        }
        _current = node.Outputs[0];
    }

    private void MapHead(Linear classifier)
    {
        var pool = Take("QLinearGlobalAveragePool", MicrosoftDomain, "the global average pool");
        ExpectReads(pool, 0, _current, "the global average pool");
        string pooled = pool.Outputs[0];
        OnnxNode? reshape = null;
        foreach (var op in FlattenOps) reshape = Take(op, "", "the flatten before the classifier");
        ExpectReads(reshape!, 0, pooled, "the flatten");

        var matmul = Take("QLinearMatMul", "", "classifier.1 (its matrix product)", inputCount: 8);
        ExpectReads(matmul, 0, reshape!.Outputs[0], "classifier.1");
        var weight = Initializer(matmul, 3, "classifier.1", OnnxDataType.Int8, OnnxDataType.UInt8);
        ExpectShape(weight, [classifier.Weight.Size(1), classifier.Weight.Size(0)], "classifier.1.weight (as [in, out])");
        var w = OnnxQuantization.Dequantize(weight, Initializer(matmul, 4, "classifier.1", OnnxDataType.Float),
            Initializer(matmul, 5, "classifier.1", weight.DataType), axis: 1);
        _state["classifier.1.weight"] = w.Transpose(0, 1).Contiguous();

        var add = Take("QLinearAdd", MicrosoftDomain, "classifier.1 (its bias)", inputCount: 8);
        int biasSlot = add.Inputs[0] == matmul.Outputs[0] ? 3 : add.Inputs[3] == matmul.Outputs[0] ? 0 : -1;
        if (biasSlot < 0) throw Mismatch($"{add} does not read the classifier's product '{matmul.Outputs[0]}'");
        var bias = Initializer(add, biasSlot, "classifier.1", OnnxDataType.UInt8, OnnxDataType.Int8);
        ExpectShape(bias, [classifier.Weight.Size(0)], "classifier.1.bias");
        _state["classifier.1.bias"] = OnnxQuantization.Dequantize(bias, Initializer(add, biasSlot + 1, "classifier.1", OnnxDataType.Float),
            Initializer(add, biasSlot + 2, "classifier.1", bias.DataType));

        var dequantize = Take("DequantizeLinear", "", "the output dequantisation");
        ExpectReads(dequantize, 0, add.Outputs[0], "the output dequantisation");
        if (dequantize.Outputs[0] != _graph.Outputs[0].Name)
        {
            throw Mismatch($"{dequantize} writes '{dequantize.Outputs[0]}', not the graph output '{_graph.Outputs[0].Name}'");
        }
    }

    private OnnxNode Take(string opType, string domain, string purpose, int inputCount = 0)
    {
        if (_next >= _graph.Nodes.Count)
        {
            throw Mismatch($"the graph ends after {_graph.Nodes.Count} nodes, expected {opType} for {purpose}");
        }
        var node = _graph.Nodes[_next];
        string nodeDomain = node.Domain == "ai.onnx" ? "" : node.Domain;
        if (node.OpType != opType || nodeDomain != domain)
        {
            string where = node.Domain.Length > 0 ? $" (domain {node.Domain})" : "";
            throw Mismatch($"node {_next} is {node}{where}, expected {opType} for {purpose}");
        }
        if (node.Inputs.Count < Math.Max(inputCount, 1) || node.Outputs.Count < 1)
        {
            throw Mismatch($"node {_next} ({node}, {purpose}) has {node.Inputs.Count} inputs and {node.Outputs.Count} outputs, expected {Math.Max(inputCount, 1)} and 1");
        }
        _next++;
        return node;
    }

    private void ExpectReads(OnnxNode node, int slot, string value, string purpose)
    {
        if (node.Inputs[slot] != value) throw Mismatch($"{node} ({purpose}) reads '{node.Inputs[slot]}', expected '{value}' from the previous layer");
    }

    private OnnxTensor Initializer(OnnxNode node, int slot, string purpose, params OnnxDataType[] types)
    {
        var tensor = _graph.Initializer(node.Inputs[slot]) ?? throw Mismatch($"{node} ({purpose}) input {slot} '{node.Inputs[slot]}' is not a constant");
        if (!types.Contains(tensor.DataType))
        {
            throw Mismatch($"{node} ({purpose}) input {slot} '{tensor.Name}' is {tensor.DataType}, expected {string.Join(" or ", types)}");
        }
        return tensor;
    }

    private void ExpectShape(OnnxTensor tensor, long[] expected, string purpose)
    {
        if (!tensor.Dims.SequenceEqual(expected))
        {
            throw Mismatch($"'{tensor.Name}' ({purpose}) has shape [{string.Join(", ", tensor.Dims)}], expected [{string.Join(", ", expected)}]");
        }
    }

    private void ExpectInts(OnnxNode node, string attribute, long[] expected, long[] absentMeans, string purpose)
    {
        var attr = node.Attribute(attribute);
        IReadOnlyList<long> actual = attr is null ? absentMeans : attr.Ints.Count > 0 ? attr.Ints : [attr.I];
        if (!actual.SequenceEqual(expected))
        {
            throw Mismatch($"{node} ({purpose}) has {attribute} [{string.Join(", ", actual)}], expected [{string.Join(", ", expected)}]");
        }
    }

    private OnnxFormatException Mismatch(string problem) =>
        new(_graph.Source, $"not the ONNX model zoo's MobileNetV2-1.0 (int8) that this loader maps: {problem}");
}
