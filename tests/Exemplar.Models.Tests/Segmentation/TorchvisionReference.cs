using System.Diagnostics;
using System.Security.Cryptography;

namespace Exemplar.Models.Tests.Segmentation;

/// <summary>
/// Debian's torchvision (python3-torchvision, /usr/bin/python3) as the reference: the parity files are too big to
/// commit (~170 MB of weights per network), so Data/make_torchvision_segmentation_parity.py writes them at test time,
/// once, into a temp folder named after the script's hash.
/// </summary>
internal static class TorchvisionReference
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Segmentation", "Data", "make_torchvision_segmentation_parity.py");

    /// <summary>Why torchvision cannot be used, or null when it can.</summary>
    public static readonly Lazy<string?> Missing = new(() =>
    {
        if (!File.Exists(Interpreter)) return $"{Interpreter} is missing (apt-get install python3-torchvision): skipping a torchvision parity test";
        var (code, _, error) = Run("-c", "import torchvision");
        return code == 0 ? null : $"{Interpreter} cannot import torchvision (apt-get install python3-torchvision): skipping; {error.Trim()}";
    });

    private static readonly Lazy<string> Folder = new(Generate);

    /// <summary>The folder holding NAME.pth and NAME_io.pth for fcn_resnet50 and deeplabv3_resnet50, written on first use.</summary>
    public static string ParityFolder => Folder.Value;

    private static string Generate()
    {
        string hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Script)))[..16];
        string folder = Path.Combine(Path.GetTempPath(), $"exemplar-torchvision-parity-{hash}");
        if (File.Exists(Path.Combine(folder, "complete"))) return folder;
        // Written aside and renamed, so that a concurrent test run never reads half-written files.
        string partial = $"{folder}.{Environment.ProcessId}";
        var (code, output, error) = Run(Script, partial);
        if (code != 0) throw new InvalidOperationException($"{Script} failed ({code}): {output}{error}");
        File.WriteAllText(Path.Combine(partial, "complete"), output);
        try
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(partial, folder);
        }
        catch (IOException) when (File.Exists(Path.Combine(folder, "complete")))
        {
            Directory.Delete(partial, recursive: true);
        }
        return folder;
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Interpreter, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Interpreter}");
        var output = process.StandardOutput.ReadToEndAsync();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}

/// <summary>A theory that is skipped, with a visible reason, when Debian's torchvision cannot be imported.</summary>
public sealed class TorchvisionTheoryAttribute : TheoryAttribute
{
    /// <summary>Skips the test when torchvision is missing.</summary>
    public TorchvisionTheoryAttribute()
    {
        if (TorchvisionReference.Missing.Value is { } reason) Skip = reason;
    }
}
