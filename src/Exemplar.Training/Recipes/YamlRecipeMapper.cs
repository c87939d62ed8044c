using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Exemplar.Training.Recipes;

/// <summary>
/// Maps a YAML document onto recipe classes (public settable properties, snake_case keys) with errors that name the
/// file, line, column and key: unknown keys (with the known ones listed), values of the wrong type, duplicates. It
/// remembers where every key was, so that later checks (a missing data set folder) can point at the line too.
/// </summary>
public sealed class YamlRecipeMapper
{
    private readonly string _file;
    private readonly Dictionary<string, Mark> _positions = new(StringComparer.Ordinal);

    private YamlRecipeMapper(string file) => _file = file;

    /// <summary>Reads <paramref name="path"/> into a new <typeparamref name="T"/>.</summary>
    public static (T Value, YamlRecipeMapper Mapper) Read<T>(string path) where T : new()
    {
        var mapper = new YamlRecipeMapper(path);
        var root = LoadRoot(path);
        if (root is not YamlMappingNode mapping) throw mapper.Error(root, "", "a recipe is a mapping of sections (model:, data:, …)");
        var value = new T();
        mapper.Fill(value, mapping, "");
        return (value, mapper);
    }

    private static YamlNode LoadRoot(string path)
    {
        if (!File.Exists(path)) throw new RecipeException(path, 0, 0, "", "no such recipe file");
        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path, Encoding.UTF8);
            stream.Load(reader);
        }
        catch (YamlException e)
        {
            throw new RecipeException(path, e.Start.Line, e.Start.Column, "", $"not valid YAML: {e.Message}", e);
        }
        if (stream.Documents.Count != 1) throw new RecipeException(path, 1, 1, "", $"a recipe is one YAML document, this file has {stream.Documents.Count}");
        return stream.Documents[0].RootNode;
    }

    /// <summary>The sections a recipe file has (its top-level keys), to tell one kind of recipe from another before reading it.</summary>
    /// <exception cref="RecipeException">The file is missing, not YAML, or not a mapping.</exception>
    public static IReadOnlyList<string> Sections(string path) => LoadRoot(path) is YamlMappingNode mapping
        ? [.. mapping.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "")]
        : throw new RecipeException(path, 1, 1, "", "a recipe is a mapping of sections (model:, data:, …)");

    /// <summary>An error at the key <paramref name="key"/> (dotted path), or at the file's start when the key was not written.</summary>
    public RecipeException ErrorAt(string key, string problem)
    {
        var mark = _positions.TryGetValue(key, out var m) ? m : Mark.Empty;
        return new RecipeException(_file, mark.Line, mark.Column, key, problem);
    }

    /// <summary>Whether the recipe wrote <paramref name="key"/> (dotted path).</summary>
    public bool Wrote(string key) => _positions.ContainsKey(key);

    /// <summary>The snake_case key of a property: WeightDecay → weight_decay.</summary>
    public static string KeyOf(string propertyName)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < propertyName.Length; i++)
        {
            char c = propertyName[i];
            if (char.IsUpper(c) && i > 0 && (!char.IsUpper(propertyName[i - 1]) || (i + 1 < propertyName.Length && char.IsLower(propertyName[i + 1])))) sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private void Fill(object target, YamlMappingNode mapping, string path)
    {
        var properties = target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite).ToDictionary(p => KeyOf(p.Name), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key }) throw Error(keyNode, path, "keys are plain names");
            string keyPath = path.Length == 0 ? key : $"{path}.{key}";
            if (!seen.Add(key)) throw Error(keyNode, keyPath, "the key appears twice");
            if (!properties.TryGetValue(key, out var property))
            {
                string where = path.Length == 0 ? "a recipe" : $"'{path}'";
                throw Error(keyNode, keyPath, $"unknown key in {where}; known keys: {string.Join(", ", properties.Keys.Order(StringComparer.Ordinal))}");
            }
            _positions[keyPath] = keyNode.Start;
            property.SetValue(target, Convert(valueNode, property.PropertyType, keyPath));
        }
    }

    private object? Convert(YamlNode node, Type type, string path)
    {
        var underlying = Nullable.GetUnderlyingType(type);
        bool nullable = underlying is not null || !type.IsValueType;
        var actual = underlying ?? type;
        if (node is YamlScalarNode { Style: ScalarStyle.Plain, Value: "null" or "~" or "" } && nullable) return null;
        if (IsList(actual, out var element))
        {
            if (node is not YamlSequenceNode sequence) throw Error(node, path, $"expected a list of {Describe(element)}, e.g. [1, 2]");
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            int i = 0;
            foreach (var item in sequence.Children) list.Add(Convert(item, element, $"{path}[{i++}]"));
            return list;
        }
        if (IsScalarType(actual))
        {
            if (node is not YamlScalarNode scalar) throw Error(node, path, $"expected {Describe(actual)}, got a {(node is YamlMappingNode ? "mapping" : "list")}");
            return ParseScalar(scalar, actual, path);
        }
        if (node is not YamlMappingNode mapping) throw Error(node, path, $"expected a mapping of {Describe(actual)} keys");
        var value = Activator.CreateInstance(actual) ?? throw Error(node, path, $"cannot build {actual.Name}");
        Fill(value, mapping, path);
        return value;
    }

    private object ParseScalar(YamlScalarNode scalar, Type type, string path)
    {
        string text = scalar.Value ?? "";
        var invariant = CultureInfo.InvariantCulture;
        bool ok;
        object? value = null;
        if (type == typeof(string))
        {
            return text;
        }
        else if (type == typeof(bool))
        {
            ok = text is "true" or "false";
            if (ok) value = text == "true";
        }
        else if (type == typeof(int))
        {
            ok = int.TryParse(text, NumberStyles.Integer, invariant, out int v);
            value = v;
        }
        else if (type == typeof(long))
        {
            ok = long.TryParse(text, NumberStyles.Integer, invariant, out long v);
            value = v;
        }
        else if (type == typeof(ulong))
        {
            ok = ulong.TryParse(text, NumberStyles.Integer, invariant, out ulong v);
            value = v;
        }
        else if (type == typeof(double))
        {
            ok = double.TryParse(text, NumberStyles.Float, invariant, out double v) && double.IsFinite(v);
            value = v;
        }
        else
        {
            var names = Enum.GetNames(type).ToDictionary(KeyOf, n => n, StringComparer.Ordinal);
            ok = names.TryGetValue(text, out var name);
            if (ok) value = Enum.Parse(type, name!);
        }
        if (!ok || value is null) throw Error(scalar, path, $"'{text}' is not {Describe(type)}");
        return value;
    }

    private static bool IsList(Type type, out Type element)
    {
        element = typeof(object);
        if (!type.IsGenericType) return false;
        var definition = type.GetGenericTypeDefinition();
        if (definition != typeof(IReadOnlyList<>) && definition != typeof(List<>)) return false;
        element = type.GetGenericArguments()[0];
        return true;
    }

    private static bool IsScalarType(Type type) =>
        type == typeof(string) || type == typeof(bool) || type == typeof(int) || type == typeof(long) || type == typeof(ulong) || type == typeof(double) || type.IsEnum;

    private static string Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string)) return "a string";
        if (type == typeof(bool)) return "true or false";
        if (type == typeof(int) || type == typeof(long)) return "an integer";
        if (type == typeof(ulong)) return "a non-negative integer";
        if (type == typeof(double)) return "a number";
        if (type.IsEnum) return $"one of {string.Join(", ", Enum.GetNames(type).Select(KeyOf))}";
        return $"'{KeyOf(type.Name.Replace("Recipe", "", StringComparison.Ordinal))}'";
    }

    private RecipeException Error(YamlNode node, string path, string problem) => new(_file, node.Start.Line, node.Start.Column, path, problem);
}
