namespace Exemplar.Vision.Datasets;

/// <summary>File listing and pairing shared by the loaders: culture-independent order, clear errors for missing files.</summary>
internal static class DatasetFiles
{
    /// <summary>Extensions of image files (JPEG and PNG, any case).</summary>
    internal static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    /// <summary>Extensions of mask files.</summary>
    internal static readonly string[] MaskExtensions = [".png"];

    /// <summary>Throws unless <paramref name="folder"/> exists; <paramref name="expected"/> describes the layout for the message.</summary>
    internal static string RequireFolder(string folder, string expected)
    {
        if (!Directory.Exists(folder)) throw new DatasetLayoutException(folder, $"folder not found; expected {expected}");
        return folder;
    }

    /// <summary>Throws unless <paramref name="file"/> exists.</summary>
    internal static string RequireFile(string file, string expected)
    {
        if (!File.Exists(file)) throw new DatasetLayoutException(file, $"file not found; expected {expected}");
        return file;
    }

    /// <summary>Files of <paramref name="folder"/> (not recursive) with one of <paramref name="extensions"/>, sorted by name (ordinal).</summary>
    internal static string[] List(string folder, IReadOnlyCollection<string> extensions)
    {
        var files = Directory.EnumerateFiles(folder)
            .Where(f => extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .ToArray();
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    /// <summary>Sub-folders of <paramref name="folder"/>, sorted by name (ordinal).</summary>
    internal static string[] Folders(string folder)
    {
        var dirs = Directory.GetDirectories(folder);
        Array.Sort(dirs, StringComparer.Ordinal);
        return dirs;
    }

    /// <summary>
    /// The file in <paramref name="folder"/> named <paramref name="stem"/> plus one of <paramref name="extensions"/> (tried
    /// in order, then in upper case), or null.
    /// </summary>
    internal static string? FindByStem(string folder, string stem, IReadOnlyList<string> extensions)
    {
        foreach (string ext in extensions)
        {
            string candidate = Path.Combine(folder, stem + ext);
            if (File.Exists(candidate)) return candidate;
            candidate = Path.Combine(folder, stem + ext.ToUpperInvariant());
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Like <see cref="FindByStem"/>, but a missing file is a <see cref="DatasetLayoutException"/> naming the file it belongs to.</summary>
    internal static string Partner(string folder, string stem, IReadOnlyList<string> extensions, string partnerOf, string what)
    {
        return FindByStem(folder, stem, extensions)
            ?? throw new DatasetLayoutException(Path.Combine(folder, stem + extensions[0]), $"{what} of {partnerOf} not found");
    }

    /// <summary>The path of <paramref name="path"/> relative to <paramref name="root"/>, with '/' separators.</summary>
    internal static string Relative(string root, string path) => Path.GetRelativePath(root, path).Replace('\\', '/');

    /// <summary>The relative path without extension: the usual item id.</summary>
    internal static string IdOf(string root, string path)
    {
        string relative = Relative(root, path);
        string extension = Path.GetExtension(relative);
        return extension.Length == 0 ? relative : relative[..^extension.Length];
    }

    /// <summary>
    /// Orders names as numbers when both are non-negative integers ("2" before "10"), otherwise ordinally; numbers come
    /// first. Used where a layout numbers its files (FSS-1000's 1..10, ISBI's 0..29).
    /// </summary>
    internal static int CompareNatural(string a, string b)
    {
        bool aNumber = long.TryParse(a, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long x);
        bool bNumber = long.TryParse(b, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long y);
        if (aNumber && bNumber) return x != y ? x.CompareTo(y) : string.CompareOrdinal(a, b);
        if (aNumber != bNumber) return aNumber ? -1 : 1;
        return string.CompareOrdinal(a, b);
    }

    /// <summary>Resolves <paramref name="root"/> to a full path and checks it is a folder.</summary>
    internal static string RequireRoot(string root, string dataset)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DatasetLayoutException(full, $"{dataset} root folder not found");
        return full;
    }
}
