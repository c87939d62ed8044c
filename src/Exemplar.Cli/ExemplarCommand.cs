using System.CommandLine;
using System.CommandLine.Parsing;
using Exemplar.Torch;

namespace Exemplar.Cli;

/// <summary>The <c>exemplar</c> command line: every subcommand, and error reporting without stack traces.</summary>
public static class ExemplarCommand
{
    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand Create() => Build().Root;

    /// <summary>The root command, and its global <c>--threads N</c> (before or after the subcommand).</summary>
    private static (RootCommand Root, Option<int?> Threads) Build()
    {
        var threads = new Option<int?>("--threads") { Description = "Intra-op threads (default: the processors available).", Recursive = true };
        var root = new RootCommand("Exemplar: segmentation by example, on libtorch.");
        root.Options.Add(threads);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ModelsCommand.Create());
        root.Subcommands.Add(SegmentCommand.Create());
        root.Subcommands.Add(SegmentCommand.CreateEncodePrompts());
        root.Subcommands.Add(TuneCommand.Create());
        root.Subcommands.Add(TrackCommand.Create());
        root.Subcommands.Add(FeaturesCommand.Create());
        root.Subcommands.Add(EvalCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(ExportCommand.Create());
        root.Subcommands.Add(TrainCommand.Create(threads));
        root.Subcommands.Add(BenchCommand.Create(threads));
        root.Subcommands.Add(ServeCommand.Create(threads));
        return (root, threads);
    }

    /// <summary>Runs the command line; returns the exit code (1 with a one-line message on errors).</summary>
    public static int Run(string[] args)
    {
        var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
        try
        {
            var (root, threads) = Build();
            var parsed = root.Parse(args);
            CheckOptionNames(parsed, args);
            if (parsed.Errors.Count == 0) LibTorch.Threads = ThreadCount(parsed, threads);
            return parsed.Invoke(configuration);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Users get the message (which names the file and the problem), not a stack trace.
            Console.Error.WriteLine($"error: {UserMessage(e)}");
            if (Environment.GetEnvironmentVariable("EXEMPLAR_DEBUG") == "1") Console.Error.WriteLine(e);
            return 1;
        }
    }

    /// <summary>--threads, or every processor this process may use.</summary>
    internal static int ThreadCount(ParseResult result, Option<int?> option)
    {
        int? threads = result.GetValue(option);
        if (threads is < 1) throw new ArgumentException($"--threads {threads}: give at least 1");
        return threads ?? Environment.ProcessorCount;
    }

    /// <summary>
    /// Refuses a token that looks like an option (<c>--name</c>, <c>--name=value</c>) but is none of the command's:
    /// options taking several values would otherwise swallow it as a file name.
    /// </summary>
    private static void CheckOptionNames(ParseResult parsed, string[] args)
    {
        var command = parsed.CommandResult.Command;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (SymbolResult? r = parsed.CommandResult; r is not null; r = r.Parent)
        {
            if (r is not CommandResult c) continue;
            foreach (var option in c.Command.Options.Where(o => c.Command == command || o.Recursive))
            {
                names.Add(option.Name);
                foreach (var alias in option.Aliases) names.Add(alias);
            }
        }
        foreach (var arg in args)
        {
            if (arg == "--") break;
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2) continue;
            string name = arg.Split('=', 2)[0];
            if (names.Contains(name)) continue;
            string path = string.Join(" ", Enumerable.Reverse(Ancestors(parsed.CommandResult)));
            throw new ArgumentException($"unknown option {name} for '{path}'{Suggest.DidYouMean(name, names.Where(n => n.StartsWith("--", StringComparison.Ordinal)))}; see {path} --help");
        }
    }

    private static IEnumerable<string> Ancestors(CommandResult result)
    {
        for (SymbolResult? r = result; r is not null; r = r.Parent)
        {
            if (r is CommandResult c) yield return c.Parent is null ? "exemplar" : c.Command.Name;
        }
    }

    /// <summary>The message for people: without .NET's "(Parameter 'x')" suffix, and in the command's terms.</summary>
    internal static string UserMessage(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentException { ParamName: { } param }) message = message.Replace($" (Parameter '{param}')", "", StringComparison.Ordinal);
        // The library's writers speak of their overwrite parameter; the command's switch is --force.
        return message.Replace("pass overwrite: true to replace it", "pass --force to replace it", StringComparison.Ordinal);
    }
}
