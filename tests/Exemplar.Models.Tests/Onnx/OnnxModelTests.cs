using Exemplar.Models.Onnx;
using Exemplar.Torch;

namespace Exemplar.Models.Tests.Onnx;

public class OnnxModelTests
{
    private const string WeightsFile = "weights/mobilenetv2-12-int8.onnx";

    [Fact]
    public void ParsesAHandWrittenModelWithEveryTensorEncoding()
    {
        var node = OnnxWriter.Node("Conv", ["x", "w"], ["y"], "conv0", "",
                OnnxWriter.IntsAttribute("pads", 1, 1, 1, 1),
                OnnxWriter.IntAttribute("group", 4),
                new ProtoWriter().String(1, "alpha").Float(2, 0.25f).Varint(20, 1),
                new ProtoWriter().String(1, "mode").String(4, "same").Varint(20, 3))
            .String(6, "a doc string the reader skips").Varint(99, 5);
        var rawFloat = OnnxWriter.Tensor("raw", 1, [2], [.. BitConverter.GetBytes(1.5f), .. BitConverter.GetBytes(-3f)]);
        var floatData = new ProtoWriter().Varint(1, 3).Varint(2, 1).PackedFloats(4, [0.5f, 2f, 4f]).String(8, "floats"); // dims unpacked
        var int64Data = new ProtoWriter().PackedVarints(1, [2]).Varint(2, 7).Varint(7, -5).Varint(7, 1L << 40).String(8, "longs");
        var int8InInt32 = new ProtoWriter().PackedVarints(1, [2, 2]).Varint(2, 3).PackedVarints(5, [-128, -1, 0, 127]).String(8, "int8s");
        var scalar = OnnxWriter.UInt8Scalar("zero", 114);
        var empty = new ProtoWriter().PackedVarints(1, [0, 4]).Varint(2, 1).String(8, "empty");
        var model = OnnxModel.Parse(OnnxWriter.Model([node], [rawFloat, floatData, int64Data, int8InInt32, scalar, empty], "x", "y"), "hand.onnx");

        Assert.Equal(7, model.IrVersion);
        Assert.Equal("exemplar-tests", model.ProducerName);
        Assert.Equal([new OnnxOperatorSet("", 12)], model.OpsetImports);
        var g = model.Graph;
        Assert.Equal("test-graph", g.Name);
        Assert.Equal(["x"], g.Inputs.Select(i => i.Name));
        Assert.Equal(["y"], g.Outputs.Select(o => o.Name));
        var n = Assert.Single(g.Nodes);
        Assert.Equal(("Conv", "conv0", ""), (n.OpType, n.Name, n.Domain));
        Assert.Equal(["x", "w"], n.Inputs);
        Assert.Equal([1L, 1, 1, 1], n.Attribute("pads")!.Ints);
        Assert.Equal(OnnxAttributeType.Ints, n.Attribute("pads")!.Type);
        Assert.Equal(4, n.Attribute("group")!.I);
        Assert.Equal(0.25f, n.Attribute("alpha")!.F);
        Assert.Equal("same", n.Attribute("mode")!.S);
        Assert.Null(n.Attribute("strides"));

        using (var t = g.Initializer("raw")!.ToTensor()) Assert.Equal([1.5f, -3f], t.ToArray<float>());
        using (var t = g.Initializer("floats")!.ToTensor()) Assert.Equal([0.5f, 2f, 4f], t.ToArray<float>());
        using (var t = g.Initializer("longs")!.ToTensor()) Assert.Equal([-5L, 1L << 40], t.ToArray<long>());
        using (var t = g.Initializer("int8s")!.ToTensor())
        {
            Assert.Equal(DType.Int8, t.DType);
            Assert.Equal([2L, 2], t.Shape);
            Assert.Equal([(sbyte)-128, (sbyte)-1, (sbyte)0, (sbyte)127], t.ToArray<sbyte>());
        }
        using (var t = g.Initializer("zero")!.ToTensor())
        {
            Assert.Empty(t.Shape);
            Assert.Equal(114, t.Item<byte>());
        }
        using (var t = g.Initializer("empty")!.ToTensor()) Assert.Equal([0L, 4], t.Shape);
        Assert.Null(g.Initializer("w"));
    }

    [Fact]
    public void TensorsWhoseDataDoNotFillTheirShapeAreRejectedByName()
    {
        var shortRaw = OnnxWriter.Tensor("short", 1, [3], new byte[8]);
        var external = new ProtoWriter().PackedVarints(1, [1]).Varint(2, 1).String(8, "outside").Varint(14, 1);
        var strings = new ProtoWriter().PackedVarints(1, [1]).Varint(2, 8).String(8, "text").String(6, "hello");
        var g = OnnxModel.Parse(OnnxWriter.Model([], [shortRaw, external, strings]), "t.onnx").Graph;
        var e = Assert.Throws<OnnxFormatException>(() => g.Initializer("short")!.ToTensor());
        Assert.Equal("t.onnx: tensor 'short': raw_data holds 8 bytes, but Float [3] needs 12", e.Message);
        Assert.Contains("external file", Assert.Throws<OnnxFormatException>(() => g.Initializer("outside")!.ToTensor()).Message);
        Assert.Contains("String (8) has no libtorch equivalent", Assert.Throws<OnnxFormatException>(() => g.Initializer("text")!.ToTensor()).Message);
    }

    [Fact]
    public void AModelWithoutAGraphIsNotAnOnnxModel()
    {
        var bytes = new ProtoWriter().Varint(1, 7).String(2, "nothing").ToArray();
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Parse(bytes, "empty.onnx"));
        Assert.Equal("empty.onnx: not an ONNX model: it has no graph (ModelProto field 7)", e.Message);
    }

    [Fact]
    public void DequantizesPerChannelAndPerTensor()
    {
        // q [2, 2] int8 [[-2, 4], [10, 0]], per-row scale [0.5, 0.25], zero point [0, 2]:
        // row 0: (-2 - 0)·0.5 = -1, (4 - 0)·0.5 = 2; row 1: (10 - 2)·0.25 = 2, (0 - 2)·0.25 = -0.5.
        using var scope = DisposeScope.Begin();
        var q = Tensor.From(new sbyte[] { -2, 4, 10, 0 }, 2, 2);
        var scale = Tensor.From(new[] { 0.5f, 0.25f });
        var zero = Tensor.From(new sbyte[] { 0, 2 });
        Assert.Equal([-1f, 2f, 2f, -0.5f], OnnxQuantization.Dequantize(q, scale, zero, axis: 0).ToArray<float>());
        // Along columns: col 0 scale 0.5 zp 0, col 1 scale 0.25 zp 2 → [[-1, 0.5], [5, -0.5]].
        Assert.Equal([-1f, 0.5f, 5f, -0.5f], OnnxQuantization.Dequantize(q, scale, zero, axis: 1).ToArray<float>());
        // One scale for everything, no zero point: uint8 [200, 3] · 0.1.
        var u = Tensor.From(new byte[] { 200, 3 });
        var one = Tensor.Scalar(0.1f);
        var real = OnnxQuantization.Dequantize(u, one, null).ToArray<float>();
        Assert.Equal(20f, real[0], 5);
        Assert.Equal(0.3f, real[1], 6);
        Assert.Throws<ArgumentException>(() => OnnxQuantization.Dequantize(q, Tensor.From(new[] { 1f, 2f, 3f }), null, axis: 0));
    }

    [SharedFact(WeightsFile)]
    public void ReadsTheModelZooMobileNetV2()
    {
        var model = OnnxModel.Load(SharedFolder.PathOf(WeightsFile));
        Assert.Equal(7, model.IrVersion);
        Assert.Equal("onnx.quantize", model.ProducerName);
        Assert.Contains(new OnnxOperatorSet("", 12), model.OpsetImports);
        var g = model.Graph;
        Assert.Equal(73, g.Nodes.Count);
        Assert.Equal(348, g.Initializers.Count);
        Assert.Equal(["input"], g.Inputs.Select(i => i.Name));
        Assert.Equal(["output"], g.Outputs.Select(i => i.Name));
        Assert.Equal(52, g.Nodes.Count(n => n.OpType == "QLinearConv"));
        Assert.Equal(11, g.Nodes.Count(n => n.OpType == "QLinearAdd" && n.Domain == "com.microsoft"));
        var stem = g.Nodes[1];
        Assert.Equal(("QLinearConv", "Conv_0_quant"), (stem.OpType, stem.Name));
        var w = g.Initializer(stem.Inputs[3])!;
        Assert.Equal(OnnxDataType.Int8, w.DataType);
        Assert.Equal([32L, 3, 3, 3], w.Dims);
        Assert.Equal([2L, 2], stem.Attribute("strides")!.Ints);
        Assert.Equal(0.01865845, OnnxQuantization.ScalarOf(g.Initializer("input_scale")!), 7);
    }

    [SharedFact("data/samples/perseg/cat_00.jpg")]
    public void AJpegIsNotAnOnnxModel()
    {
        string path = SharedFolder.PathOf("data/samples/perseg/cat_00.jpg");
        var e = Assert.Throws<OnnxFormatException>(() => OnnxModel.Load(path));
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith(path + ": ", e.Message);
    }
}
