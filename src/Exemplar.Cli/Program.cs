using System.CommandLine;
using Exemplar.Cli;

var root = new RootCommand("Exemplar: segmentation by example, on libtorch.");
root.Subcommands.Add(InfoCommand.Create());
root.Subcommands.Add(ModelsCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
return root.Parse(args).Invoke();
