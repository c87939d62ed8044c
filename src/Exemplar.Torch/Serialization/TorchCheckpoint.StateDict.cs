using Exemplar.Torch.Serialization.Pickle;

namespace Exemplar.Torch.Serialization;

public static partial class TorchCheckpoint
{
    /// <summary>Containers nested deeper than this are refused rather than named (no real state dict comes close).</summary>
    private const int MaxNesting = 1000;

    /// <summary>
    /// Loads a checkpoint and returns its tensors by name: a flat state dict as is, a nested one (e.g.
    /// <c>{"model": state_dict, "epoch": 3}</c>) with dotted names (<c>model.blocks.0.norm1.weight</c>; list and tuple
    /// items are named by position), or only the sub-dict at <paramref name="entry"/> (e.g. "model") when given.
    /// Non-tensor values are skipped, and so are the tensors inside other Python objects; every tensor the file held
    /// that is not returned is freed before this returns. A container reached twice (shared, or holding itself) is
    /// named at its first path only.
    /// </summary>
    /// <exception cref="CheckpointFormatException">
    /// The file is unreadable, has no <paramref name="entry"/>, or two tensors get the same name (e.g. a key
    /// <c>"a.b"</c> beside <c>{"a": {"b": …}}</c>); the message names the file and the problem.
    /// </exception>
    public static Dictionary<string, Tensor> LoadStateDict(string path, string? entry = null)
    {
        var root = Load(path);
        var everything = ReachableTensors(root);
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            object? selected = root;
            if (entry is not null && (root is not PickleDict d || !d.TryGetValue(entry, out selected)))
            {
                throw new CheckpointFormatException(path, $"no top-level entry '{entry}'");
            }
            Flatten(path, selected, result);
        }
        catch
        {
            foreach (var t in everything) t.Dispose();
            foreach (var t in result.Values) t.Dispose(); // aliases made for tensors named twice
            throw;
        }
        var returned = new HashSet<Tensor>(result.Values, ReferenceEqualityComparer.Instance);
        foreach (var t in everything)
        {
            if (!returned.Contains(t)) t.Dispose();
        }
        return result;
    }

    /// <summary>Names the tensors of dicts, lists and tuples by their dotted paths, depth first in file order.</summary>
    private static void Flatten(string path, object? root, Dictionary<string, Tensor> into)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var named = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object? Value, string Name, int Depth)>();
        pending.Push((root, "", 0));
        while (pending.Count > 0)
        {
            var (value, name, depth) = pending.Pop();
            if (value is Tensor t)
            {
                if (into.ContainsKey(name)) throw new CheckpointFormatException(path, $"two tensors are both named '{name}'");
                // The same tensor object under two names (tied weights): each name gets its own handle to own.
                into[name] = named.Add(t) ? t : t.Alias();
                continue;
            }
            if (value is not (PickleDict or List<object?> or object?[]) || !visited.Add(value)) continue;
            if (depth >= MaxNesting) throw new CheckpointFormatException(path, $"containers nested more than {MaxNesting} deep (at '{name}')");
            var children = Children(value);
            // Pushed in reverse so that they are popped, and named, in file order.
            for (int i = children.Count - 1; i >= 0; i--)
            {
                var (key, child) = children[i];
                pending.Push((child, name.Length == 0 ? key : $"{name}.{key}", depth + 1));
            }
        }
    }

    /// <summary>The named items of a dict, list or tuple.</summary>
    private static List<(string Key, object? Value)> Children(object value) => value switch
    {
        PickleDict d => [.. d.Select(kv => ($"{kv.Key}", kv.Value))],
        List<object?> l => [.. l.Select((v, i) => ($"{i}", v))],
        _ => [.. ((object?[])value).Select((v, i) => ($"{i}", v))],
    };

    /// <summary>Every distinct tensor reachable from <paramref name="root"/>: through dicts (and their attributes), lists, tuples, and Python objects' arguments and state.</summary>
    private static List<Tensor> ReachableTensors(object? root)
    {
        var found = new List<Tensor>();
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<object?>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var value = pending.Pop();
            if (value is null || value is string || value.GetType().IsValueType || !visited.Add(value)) continue;
            switch (value)
            {
                case Tensor t:
                    found.Add(t);
                    break;
                case PickleDict d:
                    foreach (var (k, v) in d)
                    {
                        pending.Push(k);
                        pending.Push(v);
                    }
                    pending.Push(d.Attributes);
                    break;
                case List<object?> l:
                    foreach (var v in l) pending.Push(v);
                    break;
                case object?[] tuple:
                    foreach (var v in tuple) pending.Push(v);
                    break;
                case PickleObject o:
                    pending.Push(o.Args);
                    pending.Push(o.State);
                    break;
            }
        }
        return found;
    }
}
