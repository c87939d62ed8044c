using System.CommandLine;
using Exemplar.Cli;

var root = new RootCommand("Exemplar: segmentation by example, on libtorch.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
var configuration = new InvocationConfiguration { EnableDefaultExceptionHandler = false };
try
{
    return root.Parse(args).Invoke(configuration);
}
catch (Exception e) when (e is not OutOfMemoryException)
{
    // Users get the message (which names the file and the problem), not a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    if (Environment.GetEnvironmentVariable("EXEMPLAR_DEBUG") == "1") Console.Error.WriteLine(e);
    return 1;
}
