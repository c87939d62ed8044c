using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Exemplar.Models;
using Exemplar.Models.Segmentation;
using Exemplar.Models.Zoo;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// <c>exemplar models</c>: the encoder zoo and the segmentation zoo, with parameters and GMACs counted by Exemplar's
/// MAC counter on the meta device; tables for people, <c>--json</c> for scripts.
/// </summary>
internal static class ModelsCommand
{
    /// <summary>Classes the segmentation networks are measured with by default (VOC's 21, as torchvision's published numbers).</summary>
    internal const int DefaultClasses = 21;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    internal static Command Create()
    {
        var urls = new Option<bool>("--urls") { Description = "Also list where to download each model's weights." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array [{name, params, gmacs, input, classes}] over both zoos instead of the tables." };
        var input = new Option<string?>("--input") { Description = "Measure at WxH (e.g. 1040x520), rounded to each model's size multiple (default: each model's default size)." };
        var classes = new Option<int>("--classes") { Description = $"Classes of the segmentation networks (default {DefaultClasses}).", DefaultValueFactory = _ => DefaultClasses };
        var command = new Command("models", "List the model zoo: parameters, GMACs at the default input size, weights accepted.") { urls, json, input, classes };
        command.SetAction(result =>
        {
            var size = ParseInput(result.GetValue(input));
            int classCount = result.GetValue(classes);
            if (classCount < 1) throw new ArgumentException($"--classes {classCount}: give at least 1");
            var rows = Measure(size, classCount);
            if (result.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(rows, Json));
                return 0;
            }
            WriteTables(rows);
            if (result.GetValue(urls))
            {
                foreach (var model in ModelZoo.Models)
                {
                    foreach (var s in model.WeightSources) Console.WriteLine($"{model.Name}: {s.Description}: {s.Url}");
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>One measured model; <see cref="Classes"/> is null for an encoder; <see cref="Weights"/> (encoders' weight formats) is for the table only.</summary>
    internal sealed record Row(
        [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name,
        [property: System.Text.Json.Serialization.JsonPropertyName("params")] long Params,
        [property: System.Text.Json.Serialization.JsonPropertyName("gmacs")] double GMacs,
        [property: System.Text.Json.Serialization.JsonPropertyName("input")] string Input,
        [property: System.Text.Json.Serialization.JsonPropertyName("classes")] int? Classes,
        [property: System.Text.Json.Serialization.JsonIgnore] string Weights);

    /// <summary>Every encoder, then every segmentation network, measured at <paramref name="size"/> (or each one's default).</summary>
    internal static List<Row> Measure((int Width, int Height)? size, int classes)
    {
        var rows = new List<Row>();
        foreach (var model in ModelZoo.Models)
        {
            var (w, h) = Fit(size, model.Preprocessing);
            var c = model.MeasureComplexity(w, h);
            rows.Add(new Row(model.Name, c.Parameters, Math.Round(c.GMacs, 3), c.Input, null,
                string.Join(", ", model.WeightSources.Select(s => s.Format.Label()))));
        }
        foreach (var model in SegmentationZoo.Models)
        {
            var (w, h) = Fit(size, model.InputPreprocessing());
            var c = model.MeasureComplexity(w, h, classes);
            rows.Add(new Row(model.Name, c.Parameters, Math.Round(c.GMacs, 3), $"{w}x{h}", classes, ""));
        }
        return rows;
    }

    /// <summary>"WxH" → (W, H); null stays null.</summary>
    internal static (int Width, int Height)? ParseInput(string? text)
    {
        if (text is null) return null;
        var parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w > 0 && h > 0)
        {
            return (w, h);
        }
        throw new ArgumentException($"--input {text}: give WIDTHxHEIGHT, e.g. 1040x520");
    }

    /// <summary>The asked size rounded to the nearest multiple the model takes (at least one), or its default square.</summary>
    private static (int Width, int Height) Fit((int Width, int Height)? size, Preprocessing preprocessing)
    {
        if (size is not { } s) return (preprocessing.DefaultSize, preprocessing.DefaultSize);
        return (Preprocessing.RoundToMultiple(s.Width, preprocessing.SizeMultiple), Preprocessing.RoundToMultiple(s.Height, preprocessing.SizeMultiple));
    }

    private static void WriteTables(List<Row> rows)
    {
        var encoders = new Table().AddColumns("model", "input", "params (M)", "GMACs", "weights");
        // Backbone weights are long descriptions; the segmentation table leaves them to the zoo's docs.
        var segmentation = new Table().AddColumns("segmentation model", "input", "classes", "params (M)", "GMACs");
        foreach (var r in rows)
        {
            if (r.Classes is { } n) segmentation.AddRow(r.Name, r.Input, n.ToString(CultureInfo.InvariantCulture), $"{r.Params / 1e6:F2}", $"{r.GMacs:F2}");
            else encoders.AddRow(r.Name, r.Input, $"{r.Params / 1e6:F2}", $"{r.GMacs:F2}", Markup.Escape(r.Weights));
        }
        AnsiConsole.Write(encoders);
        AnsiConsole.Write(segmentation);
    }
}
