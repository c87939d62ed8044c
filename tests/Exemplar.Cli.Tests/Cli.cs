using Exemplar.Torch;
using Exemplar.Vision.IO;

namespace Exemplar.Cli.Tests;

/// <summary>Runs the exemplar command in-process, and writes the small images the tests feed it.</summary>
internal static class Cli
{
    public const string Weights = "weights/mobilenetv2-12-int8.onnx";
    public const string Duck = "data/samples/perseg/duck_toy_00.jpg";

    public static string PerSeg(string file) => SharedFolder.PathOf($"data/samples/perseg/{file}");

    /// <summary>Exit code, standard output and standard error of one run.</summary>
    public static (int Code, string Out, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (previousOut, previousError) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            return (ExemplarCommand.Run(args), output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(previousOut);
            Console.SetError(previousError);
        }
    }

    /// <summary>A 64x64 RGB PNG: a bright square (rows and columns 16..47) on a dark, textured background.</summary>
    public static string SquareImage(string path)
    {
        var rgb = new byte[3 * 64 * 64];
        for (int c = 0; c < 3; c++)
        {
            for (int y = 0; y < 64; y++)
            {
                for (int x = 0; x < 64; x++)
                {
                    bool inside = x is >= 16 and < 48 && y is >= 16 and < 48;
                    rgb[c * 4096 + y * 64 + x] = (byte)(inside ? 220 - 30 * c : (x * 7 + y * 3 + c * 40) % 60);
                }
            }
        }
        using var image = Tensor.From(rgb, 3, 64, 64);
        ImageWriter.WritePng(path, image);
        return path;
    }

    /// <summary>A 64x64 mask PNG with <paramref name="inside"/> on the square of <see cref="SquareImage"/> and <paramref name="outside"/> elsewhere, per channel.</summary>
    public static string SquareMask(string path, byte[] inside, byte[] outside)
    {
        int channels = inside.Length;
        var values = new byte[channels * 64 * 64];
        for (int c = 0; c < channels; c++)
        {
            for (int i = 0; i < 4096; i++) values[c * 4096 + i] = (i % 64) is >= 16 and < 48 && (i / 64) is >= 16 and < 48 ? inside[c] : outside[c];
        }
        using var mask = Tensor.From(values, channels, 64, 64);
        ImageWriter.WritePng(path, mask);
        return path;
    }

    /// <summary>A 64x64 gray PNG whose pixel i holds <c>values[i % values.Length]</c> (class ids in stripes).</summary>
    public static string IdMask(string path, params byte[] values)
    {
        var pixels = new byte[4096];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = values[i / 64 % values.Length];
        using var mask = Tensor.From(pixels, 1, 64, 64);
        ImageWriter.WritePng(path, mask);
        return path;
    }
}

/// <summary>A test class with its own temporary folder, deleted afterwards.</summary>
public abstract class CliTest : IDisposable
{
    /// <summary>The folder.</summary>
    protected string Folder { get; } = Directory.CreateTempSubdirectory("exemplar-cli-").FullName;

    /// <summary>A path inside it.</summary>
    protected string PathOf(string name) => Path.Combine(Folder, name);

    /// <summary>Deletes the folder.</summary>
    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
