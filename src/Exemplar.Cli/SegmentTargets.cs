using System.Globalization;
using System.IO.Enumeration;
using Exemplar.InContext;

namespace Exemplar.Cli;

/// <summary>A target image, and the subfolder (relative to its --target folder) its outputs go to.</summary>
/// <param name="Path">The image file.</param>
/// <param name="Subfolder">"" for files given directly or at the top of a --target folder.</param>
internal sealed record TargetFile(string Path, string Subfolder);

/// <summary>Which files of the --target folders are segmented: --recursive, --include and --exclude.</summary>
/// <param name="Recursive">Also look in subfolders.</param>
/// <param name="Include">File-name patterns (<c>*</c>, <c>?</c>) of which one must match (none: every image).</param>
/// <param name="Exclude">File-name patterns of which none may match.</param>
internal sealed record TargetSelection(bool Recursive, IReadOnlyList<string> Include, IReadOnlyList<string> Exclude)
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>The images named by one --target value, in ordinal order.</summary>
    /// <exception cref="FileNotFoundException">It is neither a file nor a folder.</exception>
    /// <exception cref="ArgumentException">A folder holds no image the patterns let through.</exception>
    public IEnumerable<TargetFile> List(string target)
    {
        if (File.Exists(target)) return [new TargetFile(target, "")];
        if (!Directory.Exists(target)) throw new FileNotFoundException($"{target}: no such image or folder");
        var files = Directory.EnumerateFiles(target, "*", Recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()) && Selected(System.IO.Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .Select(f => new TargetFile(f, Subfolder(target, f)))
            .ToList();
        if (files.Count > 0) return files;
        string filters = Include.Count + Exclude.Count == 0 ? "" : $" matching {string.Join(" ", Include.Select(p => $"--include '{p}'").Concat(Exclude.Select(p => $"--exclude '{p}'")))}";
        throw new ArgumentException($"{target}: no .jpg or .png images{filters} in this folder{(Recursive ? " or its subfolders" : " (add --recursive for subfolders)")}");
    }

    private bool Selected(string name) =>
        (Include.Count == 0 || Include.Any(p => FileSystemName.MatchesSimpleExpression(p, name))) &&
        !Exclude.Any(p => FileSystemName.MatchesSimpleExpression(p, name));

    private static string Subfolder(string root, string file)
    {
        string relative = System.IO.Path.GetRelativePath(root, System.IO.Path.GetDirectoryName(file)!);
        return relative == "." ? "" : relative;
    }
}

/// <summary>Output folders created by this run, removed again when they end up empty (after a failure).</summary>
internal sealed class CreatedFolders
{
    private readonly List<string> _created = [];

    /// <summary>Creates <paramref name="folder"/> and any missing parents, remembering which were new.</summary>
    public void Ensure(string folder)
    {
        var missing = new List<string>();
        for (var dir = new DirectoryInfo(folder); dir is not null && !dir.Exists; dir = dir.Parent) missing.Add(dir.FullName);
        if (missing.Count == 0) return;
        Directory.CreateDirectory(folder);
        _created.AddRange(missing); // deepest first
    }

    /// <summary>Deletes the folders created here that hold nothing, deepest first.</summary>
    public void RemoveEmpty()
    {
        foreach (var dir in _created.OrderByDescending(d => d.Length))
        {
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any()) Directory.Delete(dir);
        }
    }
}

/// <summary>What was found in one target (the --json entries).</summary>
/// <param name="File">The target image.</param>
/// <param name="Mask">The mask written.</param>
/// <param name="Classes">Per class: area, confidence, objects.</param>
internal sealed record TargetReport(string File, string Mask, IReadOnlyList<ClassFinding> Classes)
{
    /// <summary>One line: e.g. "a.jpg: duck 12.3% (confidence 0.87, 1 object)" or "a.jpg: nothing found".</summary>
    public string Summary()
    {
        var found = Classes.Where(c => c.Area > 0)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name} {c.AreaFraction * 100:F1}% (confidence {c.Confidence:F2}, {c.Objects.Count} object{(c.Objects.Count == 1 ? "" : "s")})"))
            .ToList();
        return $"{Path.GetFileName(File)}: {(found.Count == 0 ? "nothing found" : string.Join(", ", found))}";
    }
}

/// <summary>A target skipped under --keep-going.</summary>
/// <param name="File">The target image.</param>
/// <param name="Error">Why it failed.</param>
internal sealed record TargetFailure(string File, string Error);

/// <summary>The --json file of <c>exemplar segment</c>.</summary>
/// <param name="Targets">Per segmented target.</param>
/// <param name="Failed">Targets that failed (under --keep-going).</param>
/// <param name="Skipped">Targets skipped because their outputs existed (--skip-existing).</param>
/// <param name="Threshold">The probability threshold used.</param>
internal sealed record SegmentReport(IReadOnlyList<TargetReport> Targets, IReadOnlyList<TargetFailure> Failed, int Skipped, double Threshold);
