using Exemplar.Torch.Serialization;

namespace Exemplar.Torch.Tests.Serialization;

public class WeightFileTests
{
    [Fact]
    public void WeightFilesAndImagesAreToldApartByTheirFirstBytes()
    {
        Assert.Equal(WeightFileKind.Jpeg, WeightFile.Sniff([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]));
        Assert.Equal(WeightFileKind.Png, WeightFile.Sniff([0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10]));
        Assert.Equal(WeightFileKind.TorchZip, WeightFile.Sniff([(byte)'P', (byte)'K', 3, 4, 20, 0]));
        Assert.Equal(WeightFileKind.Onnx, WeightFile.Sniff([0x08, 0x07, 0x12, 0x07, (byte)'p']));
        Assert.Equal(WeightFileKind.SafeTensors, WeightFile.Sniff([0x20, 0, 0, 0, 0, 0, 0, 0, (byte)'{']));
        Assert.Equal(WeightFileKind.LegacyTorch, WeightFile.Sniff([0x80, 0x02, 0x8a, 0x0a]));
        Assert.Equal(WeightFileKind.Unknown, WeightFile.Sniff("not weights"u8));
        Assert.Equal(WeightFileKind.Unknown, WeightFile.Sniff([]));
        Assert.Equal("an ONNX model", WeightFileKind.Onnx.Describe());
    }
}
