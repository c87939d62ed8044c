namespace Exemplar.Training.Recipes;

/// <summary>A recipe is malformed or names something that is not there; the message starts with <c>file:line:column</c> and names the key.</summary>
public sealed class RecipeException : Exception
{
    internal RecipeException(string file, long line, long column, string key, string problem, Exception? inner = null)
        : base($"{file}:{line}:{column}: {(key.Length == 0 ? "" : $"'{key}': ")}{problem}", inner)
    {
        File = file;
        Line = line;
        Column = column;
        Key = key;
    }

    /// <summary>The recipe file.</summary>
    public string File { get; }

    /// <summary>The line (1-based) of the offending key or value.</summary>
    public long Line { get; }

    /// <summary>The column (1-based).</summary>
    public long Column { get; }

    /// <summary>The dotted key path, e.g. "optimizer.weight_decay" (empty for the whole file).</summary>
    public string Key { get; }
}
