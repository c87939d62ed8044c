using System.Text.Json;
using System.Text.Json.Nodes;
using Exemplar.Torch;
using Exemplar.Torch.Nn;
using Exemplar.Torch.Serialization;
using Exemplar.Training.Optim;

namespace Exemplar.Training.Trainer;

/// <summary>
/// A checkpoint folder: <c>model.safetensors</c> (the model's state dict, loadable on its own, with
/// <see cref="TrainerOptions.ModelMetadata"/> in its header), <c>ema.safetensors</c>
/// (when an EMA is kept), <c>optimizer.safetensors</c> and <c>trainer.json</c> (position, schedule, early-stopping and
/// best-so-far state, seed). Written into a temporary folder and moved into place, so that a run killed while writing
/// leaves the previous checkpoint whole (killed between the two renames that swap them, it is left as
/// <c>.last.previous-PID</c> beside the new one's <c>.last.partial-PID</c>, which the error on resuming names).
/// </summary>
public static class TrainingCheckpoint
{
    /// <summary>The model's weights in a checkpoint folder.</summary>
    public const string ModelFile = "model.safetensors";

    /// <summary>The averaged weights in a checkpoint folder.</summary>
    public const string EmaFile = "ema.safetensors";

    /// <summary>The optimizer's state in a checkpoint folder.</summary>
    public const string OptimizerFile = "optimizer.safetensors";

    /// <summary>The trainer's state in a checkpoint folder.</summary>
    public const string StateFile = "trainer.json";

    internal const int FormatVersion = 1;

    /// <summary>Writes a checkpoint into <paramref name="directory"/>, replacing the one there only once the new one is complete.</summary>
    /// <remarks>
    /// <paramref name="modelMetadata"/>: safetensors metadata for <c>model.safetensors</c> (e.g. a segmentation model
    /// file's description), or null for PyTorch's plain <c>format: pt</c>.
    /// </remarks>
    internal static void Write(string directory, Module model, ModelEma? ema, Optimizer? optimizer, JsonObject state,
        IReadOnlyDictionary<string, string>? modelMetadata = null)
    {
        string full = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"{directory}: a checkpoint folder needs a parent folder");
        Directory.CreateDirectory(parent);
        string partial = Path.Combine(parent, $".{Path.GetFileName(full)}.partial-{Environment.ProcessId}");
        string previous = Path.Combine(parent, $".{Path.GetFileName(full)}.previous-{Environment.ProcessId}");
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        Directory.CreateDirectory(partial);
        SafeTensors.Save(Path.Combine(partial, ModelFile), model.StateDict(), modelMetadata ?? new Dictionary<string, string> { ["format"] = "pt" });
        if (ema is not null) SafeTensors.Save(Path.Combine(partial, EmaFile), ema.StateDict(), new Dictionary<string, string> { ["format"] = "pt" });
        optimizer?.Save(Path.Combine(partial, OptimizerFile));
        state["format"] = FormatVersion;
        File.WriteAllText(Path.Combine(partial, StateFile), state.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        if (Directory.Exists(full)) Directory.Move(full, previous);
        Directory.Move(partial, full);
        if (Directory.Exists(previous)) Directory.Delete(previous, recursive: true);
    }

    /// <summary>Reads <c>trainer.json</c> of a checkpoint folder.</summary>
    /// <exception cref="CheckpointFormatException">The folder is not a checkpoint, or its state is of another format.</exception>
    public static JsonObject ReadState(string directory)
    {
        string path = Path.Combine(directory, StateFile);
        if (!Directory.Exists(directory))
        {
            string name = Path.GetFileName(Path.GetFullPath(directory));
            var left = Directory.Exists(Path.GetDirectoryName(Path.GetFullPath(directory)))
                ? Directory.GetDirectories(Path.GetDirectoryName(Path.GetFullPath(directory))!, $".{name}.*") : [];
            throw new CheckpointFormatException(directory, left.Length == 0
                ? "no such checkpoint folder"
                : $"no such checkpoint folder; a run killed while swapping checkpoints left {string.Join(", ", left.Select(Path.GetFileName))}: rename the .previous one to {name} to resume from it");
        }
        if (!File.Exists(path)) throw new CheckpointFormatException(directory, $"not a training checkpoint: it has no {StateFile}");
        JsonObject state;
        try
        {
            state = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new CheckpointFormatException(path, "empty trainer state");
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, $"the trainer state is not valid JSON: {e.Message}");
        }
        if ((int?)state["format"] != FormatVersion) throw new CheckpointFormatException(path, $"trainer state format {state["format"]} is not {FormatVersion}");
        return state;
    }

    /// <summary>Loads a checkpoint's model weights strictly into <paramref name="model"/>.</summary>
    /// <exception cref="CheckpointFormatException">The file is missing or its tensors do not fit the model (the message lists what differs).</exception>
    public static void LoadModel(string directory, Module model)
    {
        string path = Path.Combine(directory, ModelFile);
        if (!File.Exists(path)) throw new CheckpointFormatException(directory, $"the checkpoint has no {ModelFile}");
        Checkpoints.LoadInto(model, path);
    }

    /// <summary>Loads a checkpoint's averaged weights into <paramref name="ema"/>.</summary>
    internal static void LoadEma(string directory, ModelEma ema)
    {
        string path = Path.Combine(directory, EmaFile);
        if (!File.Exists(path)) throw new CheckpointFormatException(directory, $"the run keeps an EMA of the weights but the checkpoint has no {EmaFile}");
        var state = SafeTensors.Load(path);
        try
        {
            ema.Load(state);
        }
        catch (ArgumentException e)
        {
            throw new CheckpointFormatException(path, e.Message);
        }
        finally
        {
            foreach (var t in state.Values) t.Dispose();
        }
    }
}
