using Exemplar.Runtime;

namespace Exemplar.Web;

/// <summary>The one model the server runs, loaded when the server starts (not per request).</summary>
public sealed class ModelService : IDisposable
{
    /// <summary>Loads the bundle named by the options (or the default bundle).</summary>
    public ModelService(ExemplarWebOptions options)
    {
        Model = ExemplarModel.Load(options.ModelPath, new RuntimeOptions { Threads = options.Threads });
        if (Model.Info.IsSupervised)
        {
            string path = Model.Path;
            Model.Dispose();
            // The demo and its API segment by example; a supervised network's bundle has no prompt to encode.
            throw new ArgumentException($"{path} is a supervised network's bundle (fixed classes, no examples); the demo serves bundles that segment by example");
        }
    }

    /// <summary>The model (thread-safe).</summary>
    public ExemplarModel Model { get; }

    /// <summary>Frees the model's sessions.</summary>
    public void Dispose() => Model.Dispose();
}
