using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// Progress reporting: on standard error (standard output carries the results), drawn as a bar only on a terminal,
/// plain text without colour codes when redirected; Spectre.Console also honours <c>NO_COLOR</c>.
/// </summary>
internal static class Terminal
{
    /// <summary>A console writing to the current standard error.</summary>
    public static IAnsiConsole Errors()
    {
        bool terminal = !Console.IsErrorRedirected;
        return AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = terminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
    }

    /// <summary>Runs <paramref name="work"/>, which calls its argument after each of <paramref name="steps"/> steps, with a progress bar.</summary>
    public static void Progress(int steps, string description, Action<Action> work)
    {
        var console = Errors();
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected: one line at the start, none per step (a log, not an animation).
            console.WriteLine($"{description}…");
            work(() => { });
            return;
        }
        console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
        {
            var task = ctx.AddTask(description, maxValue: steps);
            work(() => task.Increment(1));
        });
    }
}
