using Exemplar.Vision.IO;
using Exemplar.Vision.Tests.Support;

namespace Exemplar.Vision.Tests.IO;

/// <summary>The file writers replace links at the output name instead of writing through them.</summary>
public class ImageWriterFileTests
{
    [Fact]
    public void OverwritingALinkedOutputReplacesTheLinkAndNeverTouchesItsTarget()
    {
        using var folder = new Synthetic.TempFolder();
        using var image = Synthetic.Pattern(3, 8, 8);
        string target = folder.PathOf("input.png"), link = folder.PathOf("mask.png"), dangling = folder.PathOf("overlay.png");
        ImageWriter.WritePng(target, image);
        var before = File.ReadAllBytes(target);
        File.CreateSymbolicLink(link, target);
        File.CreateSymbolicLink(dangling, folder.PathOf("elsewhere.png"));
        using var mask = Synthetic.Pattern(1, 4, 4);

        Assert.Throws<IOException>(() => ImageWriter.WritePng(dangling, mask)); // a dangling link is something that exists
        ImageWriter.WritePng(link, mask, overwrite: true);
        ImageWriter.WriteJpeg(dangling, image, overwrite: true);

        Assert.Equal(before, File.ReadAllBytes(target));
        Assert.False(File.Exists(folder.PathOf("elsewhere.png")));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Null(new FileInfo(dangling).LinkTarget);
        Assert.Equal([1L, 4, 4], ImageReader.ReadTensor(link).Shape);
    }
}
