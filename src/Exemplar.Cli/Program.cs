return Exemplar.Cli.ExemplarCommand.Run(args);
