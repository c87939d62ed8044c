using System.CommandLine;

namespace Exemplar.Cli;

/// <summary>The <c>exemplar</c> command line: every subcommand, and error reporting without stack traces.</summary>
public static class ExemplarCommand
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Exemplar: segmentation by example, on libtorch.");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(SegmentCommand.Create());
        root.Subcommands.Add(SegmentCommand.CreateEncodePrompts());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        return root;
    }

    /// <summary>Runs the command line; returns the exit code (1 with a one-line message on errors).</summary>
    public static int Run(string[] args)
    {
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            return Create().Parse(args).Invoke(configuration);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Users get the message (which names the file and the problem), not a stack trace.
            Console.Error.WriteLine($"error: {e.Message}");
            if (Environment.GetEnvironmentVariable("EXEMPLAR_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        }
    }
}
