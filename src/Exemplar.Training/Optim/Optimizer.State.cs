using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Torch;
using Exemplar.Torch.Serialization;

namespace Exemplar.Training.Optim;

public abstract partial class Optimizer
{
    private const string MetadataKey = "exemplar.optimizer";
    private const int FormatVersion = 1;

    /// <summary>
    /// Writes the state (every group's hyper-parameters, every parameter's step count and buffers) to a safetensors
    /// file: buffers as tensors named <c>{parameter index}.{buffer}</c>, the rest as JSON in the header's metadata.
    /// Loading it into an optimizer of the same kind over the same parameters continues exactly where this one is.
    /// </summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public void Save(string path, bool overwrite = false)
    {
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var steps = new JsonArray();
        for (int i = 0; i < _states.Length; i++)
        {
            steps.Add(_states[i].Step);
            foreach (var (name, buffer) in _states[i].Buffers) tensors[$"{i}.{name}"] = buffer;
        }
        var meta = new JsonObject
        {
            ["format"] = FormatVersion,
            ["optimizer"] = GetType().Name,
            ["options"] = JsonSerializer.SerializeToNode(Options, Options.GetType()),
            ["step_count"] = StepCount,
            ["groups"] = new JsonArray([.. _groups.Select(g => (JsonNode)new JsonObject
            {
                ["lr"] = g.LearningRate,
                ["weight_decay"] = g.WeightDecay,
                ["momentum"] = g.Momentum,
                ["initial_lr"] = g.InitialLearningRate,
                ["params"] = g.Parameters.Count,
            })]),
            ["steps"] = steps,
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [MetadataKey] = meta.ToJsonString() }, overwrite);
    }

    /// <summary>
    /// Replaces the state with the one <see cref="Save"/> wrote, after checking that it belongs to an optimizer of the
    /// same kind and options over parameters of the same groups and shapes. Buffers move to their parameters' devices.
    /// </summary>
    /// <exception cref="CheckpointFormatException">The file holds no optimizer state, or state that does not fit this optimizer (the message says what).</exception>
    public void Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(MetadataKey, out var text)) throw Bad(path, "it holds no optimizer state");
        var meta = JsonNode.Parse(text)?.AsObject() ?? throw Bad(path, "its optimizer metadata is empty");
        if ((int?)meta["format"] != FormatVersion) throw Bad(path, $"optimizer state format {meta["format"]} is not {FormatVersion}");
        if ((string?)meta["optimizer"] != GetType().Name) throw Bad(path, $"it holds the state of {meta["optimizer"]}, not of {GetType().Name}");
        string options = JsonSerializer.Serialize(Options, Options.GetType());
        if (meta["options"]?.ToJsonString() != options) throw Bad(path, $"it was saved with options {meta["options"]?.ToJsonString()}, this optimizer has {options}");
        var groups = meta["groups"]?.AsArray() ?? throw Bad(path, "no groups");
        if (groups.Count != _groups.Length) throw Bad(path, $"it has {groups.Count} parameter groups, this optimizer {_groups.Length}");
        for (int g = 0; g < groups.Count; g++)
        {
            if ((int?)groups[g]?["params"] != _groups[g].Parameters.Count)
                throw Bad(path, $"group {g} has {groups[g]?["params"]} parameters there, {_groups[g].Parameters.Count} here");
        }
        var steps = meta["steps"]?.AsArray() ?? throw Bad(path, "no step counts");
        if (steps.Count != _states.Length) throw Bad(path, $"it has state for {steps.Count} parameters, this optimizer has {_states.Length}");

        var loaded = LoadBuffers(path, file);
        foreach (var s in _states) s.Clear();
        for (int i = 0; i < _states.Length; i++)
        {
            _states[i].Step = (long)steps[i]!;
            foreach (var (name, buffer) in loaded[i]) _states[i].Set(name, buffer);
        }
        for (int g = 0; g < groups.Count; g++)
        {
            _groups[g].LearningRate = (double)groups[g]!["lr"]!;
            _groups[g].WeightDecay = (double)groups[g]!["weight_decay"]!;
            _groups[g].Momentum = (double)groups[g]!["momentum"]!;
            _groups[g].InitialLearningRate = (double?)groups[g]!["initial_lr"];
        }
        StepCount = (long)meta["step_count"]!;
    }

    /// <summary>Reads and checks every buffer before any state is replaced, so that a bad file changes nothing.</summary>
    private List<(string Name, Tensor Buffer)>[] LoadBuffers(string path, SafeTensorsFile file)
    {
        var parameters = _groups.SelectMany(g => g.Parameters).ToArray();
        var result = parameters.Select(_ => new List<(string, Tensor)>()).ToArray();
        try
        {
            foreach (string key in file.Keys)
            {
                int dot = key.IndexOf('.', StringComparison.Ordinal);
                if (dot <= 0 || !int.TryParse(key.AsSpan(0, dot), out int i) || i < 0 || i >= parameters.Length)
                    throw Bad(path, $"tensor '{key}' names no parameter of this optimizer");
                var info = file.Info(key);
                var p = parameters[i];
                if (!info.Shape.SequenceEqual(p.Shape) || info.DType != p.DType)
                    throw Bad(path, $"'{key}' is {info.DType} [{string.Join(", ", info.Shape)}], parameter {i} is {p.DType} [{string.Join(", ", p.Shape)}]");
                using var cpu = file.Load(key);
                result[i].Add((key[(dot + 1)..], cpu.To(p.Device).DetachFromScope()));
            }
            return result;
        }
        catch
        {
            foreach (var (_, t) in result.SelectMany(r => r)) t.Dispose();
            throw;
        }
    }

    private static CheckpointFormatException Bad(string path, string why) => new(path, $"cannot load optimizer state: {why}");
}
