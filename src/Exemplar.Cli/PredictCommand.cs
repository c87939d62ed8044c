using System.CommandLine;
using Exemplar.Models.Segmentation;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Training.Segmentation;
using Exemplar.Vision.Datasets;
using Exemplar.Vision.IO;
using Exemplar.Vision.Visualization;

namespace Exemplar.Cli;

/// <summary>What <c>exemplar predict</c> was asked for.</summary>
/// <param name="ModelFile">The supervised model file.</param>
/// <param name="Input">An image, or a folder of images (.jpg, .jpeg, .png; not recursive).</param>
/// <param name="Output">The folder for the label maps (and overlays).</param>
/// <param name="Overlay">Also write colour overlays with a legend.</param>
/// <param name="Force">Overwrite existing outputs.</param>
internal sealed record PredictRequest(string ModelFile, string Input, string Output, bool Overlay, bool Force);

/// <summary><c>exemplar predict</c>: a supervised model file's label maps for images.</summary>
internal static class PredictCommand
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png"];

    internal static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A supervised model file (.safetensors from exemplar train).", Required = true };
        var input = new Option<string>("--input") { Description = "An image, or a folder of images (.jpg, .jpeg, .png).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for NAME.png (class ids, gray) and NAME_overlay.png.", Required = true };
        var overlay = new Option<bool>("--overlay") { Description = "Also write a colour overlay with a legend of the classes it shows." };
        var force = new Option<bool>("--force") { Description = "Overwrite existing files in --out." };
        var command = new Command("predict", "Label images with a supervised segmentation model: a class-id PNG per image, optionally a colour overlay.")
        {
            model, input, output, overlay, force,
        };
        command.SetAction(result => Run(new PredictRequest(result.GetValue(model)!.FullName, result.GetValue(input)!, result.GetValue(output)!.FullName,
            result.GetValue(overlay), result.GetValue(force))));
        return command;
    }

    /// <summary>Predicts every input; returns the exit code.</summary>
    /// <exception cref="IOException">An output exists and --force is not given (nothing is written then).</exception>
    internal static int Run(PredictRequest request)
    {
        var images = Inputs(request.Input);
        string folder = Path.GetFullPath(request.Output);
        var plan = images.Select(i => (Image: i, Labels: Path.Combine(folder, Path.GetFileNameWithoutExtension(i) + ".png"),
            Overlay: Path.Combine(folder, Path.GetFileNameWithoutExtension(i) + "_overlay.png"))).ToArray();
        if (plan.GroupBy(p => p.Labels, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } clash)
            throw new ArgumentException($"{string.Join(" and ", clash.Select(p => p.Image))} would both be written to {clash.Key}; rename one");
        var targets = plan.SelectMany(p => request.Overlay ? new[] { p.Labels, p.Overlay } : [p.Labels]);
        if (!request.Force && targets.FirstOrDefault(AtomicFile.Exists) is { } existing) throw new IOException($"{existing} exists; pass --force to overwrite it");

        if (SegmentationModelFile.ReadInfo(Path.GetFullPath(request.ModelFile)).Classes.Count is > 256 and var many)
            throw new ArgumentException($"{request.ModelFile}: {many} classes do not fit an 8-bit label PNG");
        var (network, info) = SegmentationModelFile.Load(Path.GetFullPath(request.ModelFile));
        using (network)
        {
            var predictor = new SegmentationPredictor(network, info);
            Directory.CreateDirectory(folder);
            Terminal.Progress(plan.Length, $"{info.Model}, {plan.Length} images", done =>
            {
                for (int k = 0; k < plan.Length; k++)
                {
                    using var scope = DisposeScope.Begin();
                    var image = ImageReader.ReadTensor(plan[k].Image, SegmentationDatasetBase.ImageOptions);
                    var labels = predictor.Predict(image);
                    ImageWriter.WritePng(plan[k].Labels, labels.To(DType.UInt8), request.Force);
                    if (request.Overlay) ImageWriter.WritePng(plan[k].Overlay, Overlay(image, labels, info.Classes), request.Force);
                    done(k + 1);
                }
                return 0;
            });
        }
        Console.WriteLine($"wrote {plan.Length} label map{(plan.Length == 1 ? "" : "s")}{(request.Overlay ? " and overlays" : "")} to {folder}");
        return 0;
    }

    /// <summary>
    /// The image with every class painted (class c in palette colour c + 1, so that no class is black) and a legend of
    /// the classes present.
    /// </summary>
    internal static Tensor Overlay(Tensor image, Tensor labels, IReadOnlyList<string> classes)
    {
        using var scope = DisposeScope.Begin();
        var options = new OverlayOptions(BackgroundLabel: null, IgnoreLabel: null);
        var painted = MaskOverlay.Draw(image, labels + 1L, options);
        var present = labels.Contiguous().ToArray<long>().Distinct().Order().ToArray();
        // The legend gives its i-th entry colour i + 1: lay the present classes' colours out in that order.
        var colors = ImagePalette.Voc.Colors.ToArray();
        for (int i = 0; i < present.Length; i++) colors[(i + 1) % 256] = ImagePalette.Voc[(int)((present[i] + 1) % 256)];
        var legend = Captions.AddLegend(painted, [.. present.Select(c => classes[(int)c])], options with { Palette = new ImagePalette(colors) });
        return legend.MoveToOuterScope();
    }

    private static string[] Inputs(string input)
    {
        string full = Path.GetFullPath(input);
        if (File.Exists(full)) return [full];
        if (!Directory.Exists(full)) throw new FileNotFoundException($"{full}: no such image or folder (--input)");
        var files = Directory.EnumerateFiles(full).Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray();
        return files.Length > 0 ? files : throw new FileNotFoundException($"{full}: no .jpg, .jpeg or .png images in this folder (--input)");
    }
}
