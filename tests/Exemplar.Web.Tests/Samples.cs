using System.Net.Http.Headers;
using SkiaSharp;

namespace Exemplar.Web.Tests;

/// <summary>The repository's PerSeg samples, forms built from them, and ground-truth helpers.</summary>
internal static class Samples
{
    public static string PathOf(string name) => Path.Combine(SharedFolder.RepositoryRoot, "samples", "perseg", name);

    public static byte[] Bytes(string name) => File.ReadAllBytes(PathOf(name));

    /// <summary>Adds a file part with a content type that says nothing true (the server must judge by the bytes).</summary>
    public static MultipartFormDataContent Add(this MultipartFormDataContent form, string field, byte[] bytes, string fileName)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, field, fileName);
        return form;
    }

    public static MultipartFormDataContent AddSample(this MultipartFormDataContent form, string field, string name) => form.Add(field, Bytes(name), name);

    public static MultipartFormDataContent Example(string name) => new MultipartFormDataContent().AddSample("example", $"{name}.jpg").AddSample("mask", $"{name}.png");

    /// <summary>A gray mask as PNG bytes.</summary>
    public static byte[] Png(int width, int height, Func<int, int, byte> value)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        var row = new byte[width];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++) row[x] = value(x, y);
            System.Runtime.InteropServices.Marshal.Copy(row, 0, bitmap.GetPixels() + y * bitmap.RowBytes, width);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Any non-black pixel, as a bool map.</summary>
    public static bool[] Foreground(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png).Copy(SKColorType.Rgba8888);
        return [.. bitmap.Pixels.Select(p => p.Red != 0 || p.Green != 0 || p.Blue != 0)];
    }

    public static bool[] Truth(string name) => Foreground(Bytes(name));

    public static double IoU(bool[] a, bool[] b)
    {
        Assert.Equal(a.Length, b.Length);
        int inter = 0, union = 0;
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] && b[i]) inter++;
            if (a[i] || b[i]) union++;
        }
        return union == 0 ? 1 : (double)inter / union;
    }
}
