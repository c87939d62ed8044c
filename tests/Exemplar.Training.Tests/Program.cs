namespace Exemplar.Training.Tests;

/// <summary>Run directly (not by the test host), the test assembly is the data-parallel test's worker process.</summary>
public static class Program
{
    public static int Main(string[] args) =>
        args.Length == 5 && args[0] == "ddp-worker"
            ? Trainer.DataParallelRun.Worker(args)
            : throw new ArgumentException("usage: Exemplar.Training.Tests ddp-worker RANK WORLD PORT OUT (the test host runs the tests)");
}
