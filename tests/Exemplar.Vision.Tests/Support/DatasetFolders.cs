using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Vision.Tests.Support;

/// <summary>Writes small data sets into temporary folders with the project's own encoders.</summary>
internal static class DatasetFolders
{
    /// <summary>Writes a smooth RGB JPEG of <paramref name="height"/> × <paramref name="width"/> (folders created).</summary>
    internal static string Jpeg(string path, int height, int width)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = Synthetic.Smooth(3, height, width);
        ImageWriter.WriteJpeg(path, image, overwrite: true);
        return path;
    }

    /// <summary>Writes an 8-bit gray PNG whose rows are <paramref name="rows"/> (values 0..255).</summary>
    internal static string GrayPng(string path, int[][] rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var t = Tensor.From(rows.SelectMany(r => r).Select(v => (byte)v).ToArray(), 1, rows.Length, rows[0].Length);
        ImageWriter.WritePng(path, t, overwrite: true);
        return path;
    }

    /// <summary>Writes a palette PNG (VOC palette) whose indices are <paramref name="rows"/>.</summary>
    internal static string IndexedPng(string path, int[][] rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var t = Tensor.From(rows.SelectMany(r => r).Select(v => (long)v).ToArray(), rows.Length, rows[0].Length);
        ImageWriter.WriteIndexedPng(path, t, overwrite: true);
        return path;
    }

    /// <summary>Writes an RGB PNG whose pixels are <paramref name="pixels"/>[y][x].</summary>
    internal static string RgbPng(string path, Rgba32[][] pixels)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        int h = pixels.Length, w = pixels[0].Length;
        var data = new byte[3 * h * w];
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                data[y * w + x] = pixels[y][x].R;
                data[h * w + y * w + x] = pixels[y][x].G;
                data[2 * h * w + y * w + x] = pixels[y][x].B;
            }
        }
        using var t = Tensor.From(data, 3, h, w);
        ImageWriter.WritePng(path, t, overwrite: true);
        return path;
    }

    /// <summary>Writes a text file (folders created).</summary>
    internal static string Text(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A <paramref name="height"/> × <paramref name="width"/> grid filled with <paramref name="value"/>.</summary>
    internal static int[][] Fill(int height, int width, int value) =>
        Enumerable.Range(0, height).Select(_ => Enumerable.Repeat(value, width).ToArray()).ToArray();

    /// <summary>The labels of a label map [H, W] as rows.</summary>
    internal static long[][] Rows(Tensor labels)
    {
        int h = (int)labels.Size(0), w = (int)labels.Size(1);
        var all = labels.ToArray<long>();
        return Enumerable.Range(0, h).Select(y => all[(y * w)..((y + 1) * w)]).ToArray();
    }
}
