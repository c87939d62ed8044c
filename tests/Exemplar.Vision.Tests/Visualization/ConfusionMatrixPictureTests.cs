using Exemplar.Vision.Visualization;

namespace Exemplar.Vision.Tests.Visualization;

public class ConfusionMatrixPictureTests
{
    [Fact]
    public void ShadesCellsByTheirRowFraction()
    {
        long[,] matrix = { { 90, 10, 0 }, { 0, 0, 0 }, { 5, 5, 90 } };
        using var picture = ConfusionMatrixPicture.Draw(matrix, ["sky", "road", "car"]);
        Assert.Equal(3, picture.Size(0));
        Assert.True(picture.Size(1) > 3 * 36 && picture.Size(2) > 3 * 36);
        var rgb = picture.ToArray<byte>();
        Assert.Contains(rgb, v => v < 60);   // the dark 90 % cells
        Assert.Contains(rgb, v => v == 200); // the grey row without true pixels
    }

    [Fact]
    public void RefusesMismatchedNames()
    {
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPicture.Draw(new long[2, 2], ["one"]));
        Assert.Throws<ArgumentException>(() => ConfusionMatrixPicture.Draw(new long[2, 3], ["one", "two"]));
    }
}
