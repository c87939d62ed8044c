using System.CommandLine;
using Exemplar.Torch;
using Spectre.Console;

namespace Exemplar.Cli;

/// <summary><c>exemplar info</c>: the libtorch in use, its threads and the CUDA devices seen.</summary>
internal static class InfoCommand
{
    internal static Command Create()
    {
        var verbose = new Option<bool>("--verbose") { Description = "Also print libtorch's build configuration." };
        var command = new Command("info", "Print the libtorch version, intra-op threads and CUDA devices.") { verbose };
        command.SetAction(result =>
        {
            var table = new Table().AddColumns("", "");
            table.HideHeaders();
            table.AddRow("libtorch", Markup.Escape(LibTorch.Version));
            table.AddRow("intra-op threads", LibTorch.Threads.ToString());
            table.AddRow("processors", Environment.ProcessorCount.ToString());
            table.AddRow("CUDA", LibTorch.CudaAvailable ? $"available, {LibTorch.CudaDeviceCount} device(s)" : "not available");
            AnsiConsole.Write(table);
            if (result.GetValue(verbose)) Console.WriteLine(LibTorch.BuildConfig);
            return 0;
        });
        return command;
    }
}
