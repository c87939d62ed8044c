using Exemplar.Models.MobileNet;
using Exemplar.Models.Onnx.Proto;
using Exemplar.Torch;
using static Exemplar.Models.Onnx.Export.OnnxGraphBuilder;

namespace Exemplar.Models.Onnx.Export;

/// <summary>
/// The fixed graphs a deployable bundle wraps around its encoder and decoder, so that ONNX Runtime does the per-pixel
/// work (no managed per-pixel loops at inference): image preparation (resize the longest side, pad, normalise, gray
/// guide, valid area) and restoration (crop the padding, resize to the original size, probabilities and labels); and
/// the ONNX model zoo's int8 MobileNetV2 extended to output its intermediate feature maps, still in int8.
/// </summary>
public static class DeployGraphs
{
    /// <summary>
    /// Image preparation, the same arithmetic as Exemplar.InContext's <c>PreparedImage</c>: inputs <c>pixels</c> uint8
    /// [1, H, W, C] (C ≥ 3, RGB first; alpha ignored), <c>scales</c> float [4] = [1, 1, s, s] with s = S / max(H, W)
    /// (nudged up by 1e-6 so float rounding never loses the last row), <c>resized</c> int64 [2] (the exact resized
    /// height and width), <c>pads</c> int64 [8] (ONNX Pad order, bottom/right only) → <c>image</c> [1, 3, S, S]
    /// normalised, <c>guide</c> [1, 1, S, S] gray in [0, 1], <c>valid</c> [1, 1, S, S] (1 on the image, 0 on padding).
    /// </summary>
    public static OnnxExport ImagePreparation(Preprocessing preprocessing)
    {
        using var b = new OnnxGraphBuilder();
        using var scope = DisposeScope.Begin();
        foreach (var name in new[] { "pixels", "scales", "resized", "pads" }) b.Reserve(name);
        // Channel selection and layout change on the bytes, before the (4x larger) float copy exists.
        var rgb = b.Add("Slice", ["pixels", b.Ints([0]), b.Ints([3]), b.Ints([3])]);
        var planar = b.Add("Cast", [b.Add("Transpose", [rgb], Attr("perm", [0L, 3, 1, 2]))], Attr("to", (long)OnnxDataType.Float));
        var resized = b.Add("Resize", [planar, "", "scales"], Attr("mode", "linear"), Attr("coordinate_transformation_mode", "pytorch_half_pixel"));
        var exact = b.Add("Slice", [resized, b.Ints([0, 0]), "resized", b.Ints([2, 3])]);
        var rounded = b.Add("Clip", [b.Add("Round", [exact]), b.Scalar(0, DType.Float32), b.Scalar(255, DType.Float32)]);
        var padded = b.Add("Pad", [rounded, "pads", b.Scalar(0, DType.Float32)], Attr("mode", "constant"));
        var unit = b.Add("Div", [padded, b.Scalar(255, DType.Float32)]);
        var mean = b.Initializer(Tensor.From([.. preprocessing.Mean.Select(v => (float)v)], 1, 3, 1, 1), "mean");
        var std = b.Initializer(Tensor.From([.. preprocessing.Std.Select(v => (float)v)], 1, 3, 1, 1), "std");
        b.Nodes.Add(Node("Div", [b.Add("Sub", [unit, mean]), std], "image"));
        var luma = b.Initializer(Tensor.From([0.299f, 0.587f, 0.114f], 1, 3, 1, 1), "luma");
        b.Nodes.Add(Node("ReduceSum", [b.Add("Mul", [unit, luma]), b.Ints([1])], "guide", Attr("keepdims", 1L)));
        var ones = b.Add("ConstantOfShape", [b.Add("Concat", [b.Ints([1, 1]), "resized"], Attr("axis", 0L))],
            Attr("value", ToProto(Tensor.From([1f]), "one")));
        b.Nodes.Add(Node("Pad", [ones, "pads", b.Scalar(0, DType.Float32)], "valid", Attr("mode", "constant")));
        return Finish(b, "image_preparation",
            [Value("pixels", OnnxDataType.UInt8, [1, "height", "width", "channels"]), Value("scales", OnnxDataType.Float, [4]),
             Value("resized", OnnxDataType.Int64, [2]), Value("pads", OnnxDataType.Int64, [8])],
            [Value("image", OnnxDataType.Float, [1, 3, "size", "size"]), Value("guide", OnnxDataType.Float, [1, 1, "size", "size"]),
             Value("valid", OnnxDataType.Float, [1, 1, "size", "size"])]);
    }

    /// <summary>
    /// Restoration, as <c>ResizeLongestSidePad.RestoreScores</c> then <c>SegmentationResult.FromLogits</c>: inputs
    /// <c>logits</c> [1, classes, S, S], <c>resized</c> int64 [2] (the image's area before padding), <c>size</c> int64 [2]
    /// (the original height and width), <c>threshold</c> float [1] → <c>scores</c> [1, classes, H, W] (sigmoid
    /// probabilities) and <c>labels</c> uint8 [1, H, W] (0 background, i + 1 for class i when its probability is the
    /// highest and above the threshold).
    /// </summary>
    public static OnnxExport Restoration()
    {
        using var b = new OnnxGraphBuilder();
        using var scope = DisposeScope.Begin();
        foreach (var name in new[] { "logits", "resized", "size", "threshold" }) b.Reserve(name);
        var cropped = b.Add("Slice", ["logits", b.Ints([0, 0]), "resized", b.Ints([2, 3])]);
        var sizes = b.Add("Concat", [b.Add("Slice", [b.Add("Shape", ["logits"]), b.Ints([0]), b.Ints([2])]), "size"], Attr("axis", 0L));
        var restored = b.Add("Resize", [cropped, "", "", sizes], Attr("mode", "linear"), Attr("coordinate_transformation_mode", "pytorch_half_pixel"));
        b.Nodes.Add(Node("Sigmoid", [restored], "scores"));
        var best = b.Add("ReduceMax", ["scores"], Attr("axes", [1L]), Attr("keepdims", 0L));
        var index = b.Add("Add", [b.Add("ArgMax", ["scores"], Attr("axis", 1L), Attr("keepdims", 0L)), b.Ints([1], scalar: true)]);
        var labels = b.Add("Where", [b.Add("Greater", [best, "threshold"]), index, b.Ints([0], scalar: true)]);
        b.Nodes.Add(Node("Cast", [labels], "labels", Attr("to", (long)OnnxDataType.UInt8)));
        return Finish(b, "restoration",
            [Value("logits", OnnxDataType.Float, [1, "classes", "size", "size"]), Value("resized", OnnxDataType.Int64, [2]),
             Value("size", OnnxDataType.Int64, [2]), Value("threshold", OnnxDataType.Float, [1])],
            [Value("scores", OnnxDataType.Float, [1, "classes", "height", "width"]), Value("labels", OnnxDataType.UInt8, [1, "height", "width"])]);
    }

    /// <summary>
    /// Restoration of a supervised network's logits: inputs <c>logits</c> [1, classes, S, S], <c>resized</c> int64 [2]
    /// (the image's area before padding), <c>size</c> int64 [2] (the original height and width) → <c>scores</c>
    /// [1, classes, H, W] (softmax probabilities of the logits resized bilinearly) and <c>labels</c> uint8 [1, H, W]
    /// (i + 1 for the most probable class i: every pixel gets a class).
    /// </summary>
    public static OnnxExport SupervisedRestoration()
    {
        using var b = new OnnxGraphBuilder();
        using var scope = DisposeScope.Begin();
        foreach (var name in new[] { "logits", "resized", "size" }) b.Reserve(name);
        var cropped = b.Add("Slice", ["logits", b.Ints([0, 0]), "resized", b.Ints([2, 3])]);
        var sizes = b.Add("Concat", [b.Add("Slice", [b.Add("Shape", ["logits"]), b.Ints([0]), b.Ints([2])]), "size"], Attr("axis", 0L));
        var restored = b.Add("Resize", [cropped, "", "", sizes], Attr("mode", "linear"), Attr("coordinate_transformation_mode", "pytorch_half_pixel"));
        b.Nodes.Add(Node("Softmax", [restored], "scores", Attr("axis", 1L)));
        var index = b.Add("Add", [b.Add("ArgMax", [restored], Attr("axis", 1L), Attr("keepdims", 0L)), b.Ints([1], scalar: true)]);
        b.Nodes.Add(Node("Cast", [index], "labels", Attr("to", (long)OnnxDataType.UInt8)));
        return Finish(b, "supervised_restoration",
            [Value("logits", OnnxDataType.Float, [1, "classes", "size", "size"]), Value("resized", OnnxDataType.Int64, [2]), Value("size", OnnxDataType.Int64, [2])],
            [Value("scores", OnnxDataType.Float, [1, "classes", "height", "width"]), Value("labels", OnnxDataType.UInt8, [1, "height", "width"])]);
    }

    /// <summary>
    /// The ONNX model zoo's int8 MobileNetV2 (<paramref name="path"/>, verified block by block as the loader does)
    /// cut after the deepest requested block, with an output per requested block (<c>level{i}</c>, or the name
    /// <paramref name="names"/> gives it; dequantised at the end: every convolution still runs in int8), its input
    /// renamed <c>image</c> with any batch and size.
    /// </summary>
    /// <param name="path">mobilenetv2-12-int8.onnx.</param>
    /// <param name="levels">Block indices (negative from the end), as <c>IImageEncoder.ForwardIntermediates</c> takes them.</param>
    /// <param name="names">The outputs' names, one per level (default: <c>level0</c>, <c>level1</c>, …).</param>
    public static OnnxExport Int8MobileNetV2Levels(string path, IReadOnlyList<int> levels, IReadOnlyList<string>? names = null)
    {
        if (names is not null && names.Count != levels.Count) throw new ArgumentException($"{names.Count} output names for {levels.Count} levels", nameof(names));
        var onnx = OnnxModel.Load(path);
        var outputs = MobileNetV2OnnxLoader.LevelOutputs(onnx);
        var model = onnx.Proto.Clone();
        var graph = model.Graph;
        string input = graph.Input.Single(i => graph.Initializer.All(t => t.Name != i.Name)).Name;
        graph.Output.Clear();
        for (int l = 0; l < levels.Count; l++)
        {
            int block = levels[l] < 0 ? levels[l] + outputs.Count : levels[l];
            if (block < 0 || block >= outputs.Count) throw new ArgumentOutOfRangeException(nameof(levels), levels[l], $"MobileNetV2 has blocks 0..{outputs.Count - 1}");
            var value = outputs[block];
            string name = names?[l] ?? $"level{l}";
            graph.Node.Add(Node("DequantizeLinear", [value.Name, value.Scale, value.ZeroPoint], name));
            graph.Output.Add(Value(name, OnnxDataType.Float, ["batch", null, null, null]));
        }
        foreach (var node in graph.Node) for (int i = 0; i < node.Input.Count; i++) if (node.Input[i] == input) node.Input[i] = "image";
        graph.Input.Clear();
        graph.Input.Add(Value("image", OnnxDataType.Float, ["batch", 3, "height", "width"]));
        graph.ValueInfo.Clear();                                                     // shapes of the 224 graph no longer hold
        PruneUnused(graph);
        model.ProducerName = $"{model.ProducerName} + {OnnxExporter.ProducerName}";
        return new OnnxExport(model);
    }

    /// <summary>Drops the nodes and initializers the graph's outputs do not need.</summary>
    private static void PruneUnused(GraphProto graph)
    {
        var kept = OnnxGraphPasses.Needed(graph.Node, graph.Output.Select(o => o.Name), out var read);
        graph.Node.Clear();
        graph.Node.AddRange(kept);
        var initializers = graph.Initializer.Where(t => read.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(initializers);
    }

    private static NodeProto Node(string op, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = output, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    /// <summary>A value declaration; each dimension a number, a symbol, or null (unknown).</summary>
    private static ValueInfoProto Value(string name, OnnxDataType type, object?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d switch
            {
                int n => new TensorShapeProto.Types.Dimension { DimValue = n },
                string s => new TensorShapeProto.Types.Dimension { DimParam = s },
                _ => new TensorShapeProto.Types.Dimension(),
            });
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }

    private static OnnxExport Finish(OnnxGraphBuilder b, string name, ValueInfoProto[] inputs, ValueInfoProto[] outputs)
    {
        var graph = new GraphProto { Name = name };
        graph.Input.AddRange(inputs);
        graph.Output.AddRange(outputs);
        b.Finish(graph);
        var model = new ModelProto { IrVersion = 8, ProducerName = OnnxExporter.ProducerName, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        return new OnnxExport(model);
    }
}
