using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;
using Exemplar.Vision.Visualization;

namespace Exemplar.Vision.Tests.Visualization;

public class ImageGridTests
{
    [Fact]
    public void CellsAreLaidOutWithSeparatorsAndPadding()
    {
        using var a = Tensor.Full([3, 2, 3], 10, DType.UInt8);   // 3 wide, 2 tall
        using var b = Tensor.Full([1, 3, 2], 20, DType.UInt8);   // gray, 2 wide, 3 tall
        using var c = Tensor.Full([2, 2], 30, DType.UInt8);      // [H, W] gray
        using var grid = ImageGrid.Compose([[a, b], [c]], new GridOptions(Separator: 1, SeparatorColor: new Rgba32(255, 0, 0), Background: new Rgba32(0, 0, 9)));
        // Columns 3 and 2 wide, rows 3 and 2 tall, 1-pixel separators: 6 x 6.
        Assert.Equal([3, 6, 6], grid.Shape);
        var rgb = grid.ToArray<byte>();
        byte R(int x, int y) => rgb[y * 6 + x];
        byte B(int x, int y) => rgb[72 + y * 6 + x];
        Assert.Equal(10, R(0, 0));
        Assert.Equal(10, R(2, 1));
        Assert.Equal(0, R(0, 2));       // below a: padding (background (0, 0, 9))
        Assert.Equal(9, B(0, 2));
        Assert.Equal(255, R(3, 0));     // vertical separator
        Assert.Equal(0, B(3, 0));
        Assert.Equal(20, R(4, 2));      // b, third row
        Assert.Equal(255, R(0, 3));     // horizontal separator
        Assert.Equal(30, R(1, 5));      // c
        Assert.Equal(0, R(5, 5));       // second row has no second cell: background
        Assert.Equal(9, B(5, 5));
    }

    [Fact]
    public void NoSeparatorJustConcatenates()
    {
        using var a = Tensor.Full([3, 2, 2], 1, DType.UInt8);
        using var b = Tensor.Full([3, 2, 2], 2, DType.UInt8);
        using var grid = ImageGrid.Compose([[a, b]], new GridOptions(Separator: 0));
        using var expected = Tensor.Cat([a, b], 2);
        Assert.True(grid.Equal(expected));
    }

    [Fact]
    public void EpisodeIsSavedAsOnePng()
    {
        using var folder = new Synthetic.TempFolder();
        using var example = Synthetic.Smooth(3, 8, 10);
        using var exampleMask = Tensor.Zeros([8, 10], DType.Int64);
        using var target = Synthetic.Smooth(3, 6, 6);
        var block = new byte[36];
        for (int y = 1; y <= 4; y++)
            for (int x = 1; x <= 4; x++)
                block[y * 6 + x] = 1;
        using var prediction = Tensor.From(block, 6, 6);
        using var truth = Tensor.Zeros([6, 6], DType.UInt8);
        string path = folder.PathOf("episode.png");
        EpisodeVisualizer.Save(path, [new AnnotatedImage(example, exampleMask)], target, prediction, truth);
        using var picture = ImageReader.ReadTensor(path);
        // Cells 10 + 6 + 6 + 6 wide with three 4-pixel separators; 8 tall.
        Assert.Equal([3, 8, 40], picture.Shape);
        var rgb = picture.ToArray<byte>();
        // The prediction cell (x 24..29) has class 1 on a 4x4 block: its edge is contour (128, 0, 0), its inside is
        // blended, outside it the target shows through.
        var t = target.ToArray<byte>();
        Assert.Equal(128, rgb[1 * 40 + 25]);
        Assert.Equal(0, rgb[320 + 1 * 40 + 25]);
        Assert.Equal((int)Math.Round(0.5 * t[2 * 6 + 2] + 64, MidpointRounding.AwayFromZero), rgb[2 * 40 + 26]);
        Assert.Equal((int)Math.Round(0.5 * t[36 + 2 * 6 + 2], MidpointRounding.AwayFromZero), rgb[320 + 2 * 40 + 26]);
        Assert.Equal(t[0], rgb[24]);
        // The target cell (x 14..19) is the target itself.
        Assert.Equal(t[3 * 6 + 4], rgb[3 * 40 + 18]);
        Assert.Throws<IOException>(() => EpisodeVisualizer.Save(path, [new AnnotatedImage(example, exampleMask)], target, prediction));
    }
}
