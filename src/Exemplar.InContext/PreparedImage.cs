using Exemplar.Models;
using Exemplar.Torch;
using Exemplar.Vision.Transforms;

namespace Exemplar.InContext;

/// <summary>
/// An image as the encoder sees it: resized so its longest side is S, padded to S×S (SegIC's recipe), normalised; plus
/// what the decoder needs: the geometry to undo it, a gray guide for edge-aware upsampling and the valid (unpadded) area.
/// </summary>
/// <param name="Input">[3, S, S] normalised float32.</param>
/// <param name="Guide">[1, S, S] gray in [0, 1].</param>
/// <param name="Valid">[1, S, S] float32: 1 on the image, 0 on the padding.</param>
/// <param name="Geometry">The resize-and-pad geometry.</param>
public sealed record PreparedImage(Tensor Input, Tensor Guide, Tensor Valid, ResizePadGeometry Geometry) : IDisposable
{
    /// <summary>Prepares <paramref name="image"/> [3, H, W] uint8 for <paramref name="encoder"/> at side <paramref name="size"/>.</summary>
    public static PreparedImage Create(Tensor image, IImageEncoder encoder, int size)
    {
        var resizer = Resizer(size);
        var geometry = resizer.GeometryFor((int)image.Size(1), (int)image.Size(2));
        using var scope = DisposeScope.Begin();
        var resized = resizer.ResizeImage(image, geometry);                                   // [3, S, S] uint8
        var pre = encoder.Preprocessing;
        var input = Normalize.Forward(resized, new NormalizeOptions(pre.Mean, pre.Std));
        var rgb = resized.To(DType.Float32) / 255.0;
        var guide = (rgb.Select(0, 0) * 0.299 + rgb.Select(0, 1) * 0.587 + rgb.Select(0, 2) * 0.114).Unsqueeze(0);
        var valid = Tensor.Zeros([1, size, size]);
        valid[.., ..geometry.ResizedHeight, ..geometry.ResizedWidth] = Tensor.Ones([1]);
        return new PreparedImage(input.MoveToOuterScope(), guide.MoveToOuterScope(), valid.MoveToOuterScope(), geometry);
    }

    /// <summary>Resizes and pads masks [classes, H, W] (any dtype, non-zero = in) with this geometry → [classes, S, S] float32 in {0, 1}.</summary>
    public Tensor ResizeMasks(Tensor masks)
    {
        using var scope = DisposeScope.Begin();
        var binary = masks.Ne(0).To(DType.UInt8);
        var resized = Resizer(Geometry.Size).ResizeMask(binary, Geometry); // padding filled with 0 (not the class)
        return resized.To(DType.Float32).MoveToOuterScope();
    }

    private static ResizeLongestSidePad Resizer(int size) => new(new ResizePadOptions { Size = size, MaskIgnore = 0 });

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        Input.Dispose();
        Guide.Dispose();
        Valid.Dispose();
    }
}
