using System.CommandLine;
using Exemplar.InContext.Deployment;
using Exemplar.Models.Zoo;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar export</c>: writes an <c>.exemplar</c> bundle — the encoder, prompt, decoder and pre/post-processing as
/// ONNX graphs — that Exemplar.Runtime runs with ONNX Runtime alone.
/// </summary>
internal static class ExportCommand
{
    internal static Command Create()
    {
        var inputs = new CliInputs();
        var output = new Option<FileInfo>("--out") { Description = "The bundle file to write (NAME.exemplar).", Required = true };
        var int8 = new Option<bool>("--int8") { Description = "mobilenetv2 only: run the ONNX model zoo's int8 graph (the --weights file) in int8 instead of the dequantised float network." };
        var licence = new Option<string?>("--weights-licence") { Description = "The weights' licence, recorded in the bundle (default: what the zoo knows)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing bundle." };
        var command = new Command("export", "Export an encoder and the segmenter as an ONNX Runtime bundle.") { output, int8, licence, force };
        inputs.AddModelOptions(command);
        command.SetAction(result =>
        {
            using var zoo = inputs.LoadSegmenter(result);
            var weights = result.GetValue(inputs.Weights)!;
            var entry = ModelZoo.Get(zoo.Segmenter.EncoderName);
            var manifest = BundleExporter.Export(zoo.Segmenter, result.GetValue(output)!.FullName, new BundleOptions
            {
                WeightsSource = entry.WeightSources[0].Url,
                WeightsLicence = result.GetValue(licence) ?? DefaultLicence(entry),
                Int8MobileNetV2 = result.GetValue(int8) ? weights.FullName : null,
            }, result.GetValue(force));
            Console.WriteLine($"wrote {result.GetValue(output)!.FullName}: {manifest.Name}, input {manifest.InputSize}, levels {string.Join(",", manifest.Levels)}, fingerprint {manifest.Fingerprint}");
            return 0;
        });
        return command;
    }

    private static string DefaultLicence(ZooModel entry) => entry.Family switch
    {
        "mobilenet" => "Apache-2.0 (ONNX model zoo)",
        "dinov2" => "Apache-2.0 (facebookresearch/dinov2)",
        "resnet" => "BSD-3-Clause (torchvision)",
        _ => "see the weights' source",
    };
}
