using Exemplar.Torch;

namespace Exemplar.Vision.Tests.Support;

/// <summary>Small deterministic test images.</summary>
internal static class Synthetic
{
    /// <summary>A [C, H, W] uint8 tensor whose value at (c, y, x) is (c·97 + y·31 + x·7 + seed) mod 256: every pixel distinct enough to catch mix-ups.</summary>
    internal static Tensor Pattern(int channels, int height, int width, int seed = 0)
    {
        var data = new byte[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    data[(c * height + y) * width + x] = (byte)((c * 97 + y * 31 + x * 7 + seed) % 256);
        return Tensor.From(data, channels, height, width);
    }

    /// <summary>A smooth [C, H, W] uint8 gradient (JPEG reproduces it closely).</summary>
    internal static Tensor Smooth(int channels, int height, int width)
    {
        var data = new byte[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    data[(c * height + y) * width + x] = (byte)(20 + c * 30 + y * 80 / height + x * 60 / width);
        return Tensor.From(data, channels, height, width);
    }

    /// <summary>A path in a fresh temporary folder (deleted by <see cref="TempFolder.Dispose"/>).</summary>
    internal sealed class TempFolder : IDisposable
    {
        public string Root { get; } = Directory.CreateTempSubdirectory("exemplar-vision-").FullName;

        public string PathOf(string name) => Path.Combine(Root, name);

        public void Dispose() => Directory.Delete(Root, recursive: true);
    }
}
