using Exemplar.Torch;
using Exemplar.Vision.IO;
using Exemplar.Vision.Masks;
using Exemplar.Vision.Tests.Support;
using Exemplar.Vision.Visualization;

namespace Exemplar.Vision.Tests.IO;

public class NativeLeakTests
{
    [Fact]
    public void DecodingEncodingAndDrawingLeaveNoTensorsBehind()
    {
        using var image = Synthetic.Pattern(3, 12, 10);
        using var mask = Tensor.From(Enumerable.Range(0, 120).Select(i => (byte)(i % 3)).ToArray(), 12, 10);
        byte[] png = ImageWriter.EncodePng(image);
        byte[] indexed = ImageWriter.EncodeIndexedPng(mask);
        byte[] jpeg = JpegExif.WithOrientation(ImageWriter.EncodeJpeg(image), 8);
        long before = Tensor.LiveCount;
        for (int i = 0; i < 20; i++)
        {
            using (ImageReader.Decode(png, options: ImageReadOptions.Gray)) { }
            using (ImageReader.Decode(jpeg)) { }
            using (MaskDecoder.Decode(indexed, "m.png", MaskEncodings.Voc)) { }
            ImageWriter.EncodeJpeg(image);
            using (MaskOverlay.Draw(image, mask)) { }
            using (EpisodeVisualizer.Render([new AnnotatedImage(image, mask)], image, mask, mask)) { }
            Assert.Throws<ImageFormatException>(() => ImageReader.Decode(png[..100]));
        }
        Assert.Equal(before, Tensor.LiveCount);
    }
}
