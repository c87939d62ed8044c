using Exemplar.Torch;

namespace Exemplar.InContext.Tests;

/// <summary>Synthetic scenes: coloured rectangles on a textured background, with their exact masks.</summary>
internal static class Scenes
{
    /// <summary>An image [3, H, W] uint8 with gray-blue noise, and one rectangle per (colour, box).</summary>
    public static (Tensor Image, Tensor Masks) Make(int height, int width, int seed, params (byte R, byte G, byte B, int Top, int Left, int Height, int Width)[] objects)
    {
        using var scope = DisposeScope.Begin();
        var noise = Tensor.Randint(0, 40, [3, height, width], new Generator((ulong)seed));
        var image = noise + Tensor.From([60L, 70L, 110L], 3, 1, 1);
        var masks = Tensor.Zeros([objects.Length, height, width], DType.UInt8);
        for (int i = 0; i < objects.Length; i++)
        {
            var o = objects[i];
            var colour = Tensor.From([(long)o.R, o.G, o.B], 3, 1, 1) + noise / 4;
            var region = colour[.., o.Top..(o.Top + o.Height), o.Left..(o.Left + o.Width)];
            image[.., o.Top..(o.Top + o.Height), o.Left..(o.Left + o.Width)] = region;
            masks[i, o.Top..(o.Top + o.Height), o.Left..(o.Left + o.Width)] = Tensor.Ones([1], DType.UInt8);
        }
        return (image.Clamp(0, 255).To(DType.UInt8).MoveToOuterScope(), masks.MoveToOuterScope());
    }

    /// <summary>Intersection over union of two binary masks [H, W].</summary>
    public static double IoU(Tensor predicted, Tensor truth)
    {
        using var scope = DisposeScope.Begin();
        var p = predicted.Ne(0);
        var t = truth.Ne(0);
        double inter = (p & t).Sum().ToDouble();
        double union = (p | t).Sum().ToDouble();
        return union == 0 ? 1 : inter / union;
    }
}
