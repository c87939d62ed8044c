using System.CommandLine;
using System.Globalization;
using Exemplar.InContext;
using Exemplar.Torch;
using Exemplar.Torch.IO;
using Exemplar.Torch.Serialization;
using Exemplar.Vision.IO;

namespace Exemplar.Cli;

/// <summary><c>exemplar features</c>: an encoder's feature maps of one image, written as safetensors.</summary>
internal static class FeaturesCommand
{
    internal static Command Create()
    {
        var inputs = new CliInputs();
        var image = new Option<FileInfo>("--image") { Description = "The image (jpg or png).", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "The safetensors file to write.", Required = true };
        var size = new Option<int?>("--size") { Description = "Longest side after resizing (padded square); default: the model's." };
        var levels = new Option<int[]>("--level") { Description = "Encoder levels to write (default: the last); negative counts from the end.", AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output file." };
        var command = new Command("features", "Write an encoder's NCHW feature maps of an image to a safetensors file.") { image, output, size, levels, force };
        inputs.AddModelOptions(command);
        command.SetAction(result =>
        {
            var outFile = result.GetValue(output)!;
            if (AtomicFile.Exists(outFile.FullName) && !result.GetValue(force)) throw new IOException($"{outFile.FullName} exists; pass --force to overwrite it");
            using var zoo = inputs.LoadSegmenter(result);
            var (encoder, name) = (zoo.Segmenter.Encoder, zoo.Segmenter.EncoderName);
            int side = result.GetValue(size) ?? encoder.Preprocessing.DefaultSize;
            if (side % encoder.Preprocessing.SizeMultiple != 0) throw new ArgumentException($"--size {side} must be a multiple of {encoder.Preprocessing.SizeMultiple} for {name}");
            var wanted = result.GetValue(levels) is { Length: > 0 } l ? l : [-1];
            using var noGrad = LibTorch.NoGrad();
            using var scope = DisposeScope.Begin();
            var pixels = ImageReader.ReadTensor(result.GetValue(image)!.FullName, ImageReadOptions.Rgb);
            using var prepared = PreparedImage.Create(pixels, encoder, side);
            var maps = encoder.ForwardIntermediates(prepared.Input.Unsqueeze(0), wanted);
            var tensors = new Dictionary<string, Tensor>();
            var metadata = new Dictionary<string, string>
            {
                ["model"] = name,
                ["input_size"] = side.ToString(CultureInfo.InvariantCulture),
                ["image"] = result.GetValue(image)!.Name,
                ["resized"] = $"{prepared.Geometry.ResizedHeight}x{prepared.Geometry.ResizedWidth}",
            };
            for (int i = 0; i < maps.Count; i++)
            {
                string key = $"level{wanted[i]}";
                tensors[key] = maps[i].Features.To(DType.Float32).Contiguous();
                metadata[$"{key}.stride"] = maps[i].Stride.ToString(CultureInfo.InvariantCulture);
                metadata[$"{key}.name"] = maps[i].Name;
            }
            SafeTensors.Save(outFile.FullName, tensors, metadata, overwrite: result.GetValue(force));
            foreach (var (key, t) in tensors) Console.WriteLine($"{key}: [{string.Join(", ", t.Shape)}] stride {metadata[key + ".stride"]} ({metadata[key + ".name"]})");
            Console.WriteLine($"wrote {outFile.FullName}");
            return 0;
        });
        return command;
    }
}
