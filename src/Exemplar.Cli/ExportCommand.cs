using System.CommandLine;
using Exemplar.InContext;
using Exemplar.InContext.Deployment;
using Exemplar.Models.Deployment;
using Exemplar.Models.Quantization;
using Exemplar.Models.Segmentation;
using Exemplar.Models.Zoo;
using Exemplar.Training.Segmentation;
using Exemplar.Vision.Transforms;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar export</c>: writes an <c>.exemplar</c> bundle — the encoder, prompt, decoder and pre/post-processing as
/// ONNX graphs — that Exemplar.Runtime runs with ONNX Runtime alone; with <c>--model FILE</c> (a supervised model
/// file), that network's bundle, in float or int8 (post-training static quantisation on <c>--calibrate</c> images, or
/// the ranges of a model file that is already quantised).
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
        var inputSize = new Option<int>("--input-size") { Description = "With --model FILE: the square side images are resized (longest side) and padded to (default 512).", DefaultValueFactory = _ => 512 };
        var calibrate = new Option<string?>("--calibrate") { Description = $"With --model FILE --int8: calibration images, KIND:PATH with KIND one of {string.Join(", ", SupervisedData.Kinds)} (its train split unless --split)." };
        var split = new Option<string?>("--split") { Description = "The --calibrate split (default train)." };
        var calibrationImages = new Option<int>("--calibration-images") { Description = "How many --calibrate images (spread over the split; default 32).", DefaultValueFactory = _ => 32 };
        var saveModel = new Option<FileInfo?>("--save-model") { Description = "With --model FILE --int8: also write the calibrated int8 model file (for exemplar eval --model)." };
        var trackerDecoder = new Option<FileInfo?>("--tracker-decoder") { Description = "A propagation decoder file (exemplar train with model.prior) for the same encoder: the bundle's tracker graph, which track and eval --video decode frames with." };
        var command = new Command("export", "Export an encoder and the segmenter, or a supervised model file, as an ONNX Runtime bundle.")
        {
            output, int8, licence, force, inputSize, calibrate, split, calibrationImages, saveModel, trackerDecoder,
        };
        inputs.AddModelOptions(command);
        inputs.Model.Description += " Or a supervised model file (.safetensors from exemplar train) to export its network.";
        command.SetAction(result =>
        {
            string model = result.GetValue(inputs.Model)!;
            if (ModelEval.IsModelFile(model))
            {
                return ExportSupervised(new SupervisedExport(model, result.GetValue(output)!.FullName, result.GetValue(int8), result.GetValue(inputSize),
                    result.GetValue(calibrate), result.GetValue(split), result.GetValue(calibrationImages), result.GetValue(saveModel)?.FullName,
                    result.GetValue(licence), result.GetValue(force)));
            }
            if (result.GetValue(calibrate) is not null || result.GetValue(saveModel) is not null)
                throw new ArgumentException("--calibrate and --save-model are for --model FILE (a supervised model file)");
            using var zoo = inputs.LoadSegmenter(result);
            using var tracker = result.GetValue(trackerDecoder) is { } trackerFile ? LoadTracker(trackerFile.FullName, zoo.Segmenter) : null;
            var weights = result.GetValue(inputs.Weights)!;
            var entry = ModelZoo.Get(zoo.Segmenter.EncoderName);
            var manifest = BundleExporter.Export(zoo.Segmenter, result.GetValue(output)!.FullName, new BundleOptions
            {
                WeightsSource = entry.WeightSources[0].Url,
                WeightsLicence = result.GetValue(licence) ?? DefaultLicence(entry),
                Int8MobileNetV2 = result.GetValue(int8) ? weights.FullName : null,
                TrackerDecoder = tracker,
            }, result.GetValue(force));
            Console.WriteLine($"wrote {result.GetValue(output)!.FullName}: {manifest.Name}, input {manifest.InputSize}, levels {string.Join(",", manifest.Levels)}, fingerprint {manifest.Fingerprint}");
            return 0;
        });
        return command;
    }

    /// <summary>A propagation decoder file that fits the segmenter's encoder and levels; the caller owns it.</summary>
    private static LearnedDecoder LoadTracker(string path, Segmenter segmenter)
    {
        var (decoder, info) = DecoderFile.Load(path);
        try
        {
            if (!info.Prior) throw new ArgumentException($"{path} is not a propagation decoder (it reads no mask prior): --tracker-decoder takes one trained with model.prior");
            DecoderFile.CheckFits(path, info, segmenter.EncoderName, segmenter.Options.Levels);
            if (info.InputSize != segmenter.Options.InputSize) throw new ArgumentException($"{path} was trained at input size {info.InputSize}, the segmenter runs at {segmenter.Options.InputSize}");
            return decoder;
        }
        catch
        {
            decoder.Dispose();
            throw;
        }
    }

    private sealed record SupervisedExport(string Model, string Output, bool Int8, int InputSize, string? Calibrate, string? Split,
        int CalibrationImages, string? SaveModel, string? Licence, bool Force);

    /// <summary>Loads a model file, quantises it when asked, writes its bundle (and the int8 model file).</summary>
    private static int ExportSupervised(SupervisedExport e)
    {
        if (!e.Force && File.Exists(e.Output)) throw new IOException($"{e.Output} exists; pass --force to replace it");
        if (e.SaveModel is { } saved && !e.Force && File.Exists(saved)) throw new IOException($"{saved} exists; pass --force to replace it");
        var (network, info) = SegmentationModelFile.Load(e.Model);
        using (network)
        {
            bool quantized = info.Quantization is not null;
            if (e.Int8 && !quantized)
            {
                if (e.Calibrate is null) throw new ArgumentException($"--int8 needs --calibrate KIND:PATH (images to observe the activations on), unless {e.Model} is already quantised");
                if (e.CalibrationImages < 1) throw new ArgumentException($"--calibration-images {e.CalibrationImages}: give at least 1");
                var dataset = SupervisedData.Open(e.Calibrate, e.Split ?? "train");
                var quantization = NetworkQuantization.Prepare(network);
                var normalize = new NormalizeOptions(network.Preprocessing.Mean, network.Preprocessing.Std);
                Terminal.Note($"calibrating on {Math.Min(e.CalibrationImages, dataset.Count)} images of {dataset.Name}");
                quantization.Calibrate(CalibrationImages.Prepare(dataset, e.CalibrationImages, e.InputSize, normalize));
                info = info with { Quantization = quantization.Ranges() };
                if (e.SaveModel is { } path) SegmentationModelFile.Save(path, network, info, e.Force);
                quantized = true;
            }
            else if (e.SaveModel is not null)
            {
                throw new ArgumentException("--save-model writes the model calibrated by --int8 --calibrate");
            }
            var zoo = SegmentationZoo.Get(info.Model);
            var manifest = SupervisedBundleExporter.Export(network, e.Output, new SupervisedBundleOptions
            {
                Network = info.Model,
                InputSize = e.InputSize,
                Classes = info.Classes,
                Precision = quantized ? "int8" : "float32",
                WeightsSource = $"{zoo.BackboneWeights ?? "random initialisation"}; trained on {info.TrainedOn ?? "unknown data"}{(info.Recipe is { } r ? $" with {r}" : "")}",
                WeightsLicence = e.Licence ?? "see the model's README",
            }, e.Force);
            Console.WriteLine($"wrote {e.Output}: {manifest.Name}, {manifest.Classes!.Length} classes, input {manifest.InputSize}, fingerprint {manifest.Fingerprint}");
        }
        return 0;
    }

    private static string DefaultLicence(ZooModel entry) => entry.Family switch
    {
        "mobilenet" => "Apache-2.0 (ONNX model zoo)",
        "dinov2" => "Apache-2.0 (facebookresearch/dinov2)",
        "resnet" => "BSD-3-Clause (torchvision)",
        _ => "see the weights' source",
    };
}
