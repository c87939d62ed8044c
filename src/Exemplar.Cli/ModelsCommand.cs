using System.CommandLine;
using Exemplar.Models.Zoo;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary><c>exemplar models</c>: the model zoo table, with parameters and GMACs counted by Exemplar's MAC counter.</summary>
internal static class ModelsCommand
{
    internal static Command Create()
    {
        var urls = new Option<bool>("--urls") { Description = "Also list where to download each model's weights." };
        var command = new Command("models", "List the model zoo: parameters, GMACs at the default input size, weights accepted.") { urls };
        command.SetAction(result =>
        {
            var table = new Table().AddColumns("model", "input", "params (M)", "GMACs", "weights");
            foreach (var model in ModelZoo.Models)
            {
                var c = model.MeasureComplexity();
                table.AddRow(
                    model.Name,
                    $"{c.InputSize}x{c.InputSize}",
                    $"{c.Parameters / 1e6:F2}",
                    $"{c.GMacs:F2}",
                    Markup.Escape(string.Join(", ", model.WeightSources.Select(s => s.Format.Label()))));
            }
            AnsiConsole.Write(table);
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
}
