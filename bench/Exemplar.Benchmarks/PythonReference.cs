using System.Diagnostics;
using System.Text.Json;

namespace Exemplar.Benchmarks;

/// <summary>Runs a PyTorch reference script from bench/python and reads the JSON it prints.</summary>
public static class PythonReference
{
    /// <summary>The interpreter: EXEMPLAR_PYTHON, else Debian's /usr/bin/python3 (which has python3-torch).</summary>
    public static string Interpreter => Environment.GetEnvironmentVariable("EXEMPLAR_PYTHON") is { Length: > 0 } p ? p : "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> (a file name in bench/python) with <paramref name="arguments"/>; returns its JSON output.</summary>
    /// <exception cref="InvalidOperationException">Python or PyTorch is missing, or the script failed (its stderr is included).</exception>
    public static JsonDocument Run(string script, IEnumerable<string> arguments)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "python", script);
        if (!File.Exists(path)) throw new FileNotFoundException($"the PyTorch reference script is missing: {path}");
        var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Interpreter}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{Interpreter} is not available ({e.Message}); install python3-torch or set EXEMPLAR_PYTHON", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{script} failed with exit code {process.ExitCode}: {stderr.Result.Trim()}");
            }
            string lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "";
            try
            {
                return JsonDocument.Parse(lastLine);
            }
            catch (JsonException e)
            {
                throw new InvalidOperationException($"{script} printed no JSON result (last line: '{lastLine}'; stderr: {stderr.Result.Trim()})", e);
            }
        }
    }
}
