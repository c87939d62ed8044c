using Spectre.Console;

namespace Exemplar.Cli;

/// <summary>
/// Progress reporting: on standard error (standard output carries the results), drawn as a bar only on a terminal,
/// plain text without colour codes when redirected; Spectre.Console also honours <c>NO_COLOR</c>.
/// </summary>
internal static class Terminal
{
    /// <summary>A console writing to the current standard error.</summary>
    public static IAnsiConsole Errors() => Create(Console.Error, !Console.IsErrorRedirected, interactive: true);

    /// <summary>
    /// A console writing to the current standard output (not the one of the process's start, which
    /// <see cref="AnsiConsole"/> keeps), plain when redirected.
    /// </summary>
    public static IAnsiConsole Output() => Create(Console.Out, !Console.IsOutputRedirected, interactive: false);

    /// <summary>Colours and animation only on a terminal; plain text when redirected.</summary>
    private static IAnsiConsole Create(TextWriter writer, bool terminal, bool interactive) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(writer),
        Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = interactive && terminal ? InteractionSupport.Detect : InteractionSupport.No,
    });

    /// <summary>A progress note (grey on a terminal, plain text when redirected) on standard error.</summary>
    public static void Note(string message) => Errors().MarkupLine($"[grey]{Markup.Escape(message)}[/]");

    /// <summary>
    /// Runs <paramref name="work"/> with a progress bar of <paramref name="steps"/> steps; it reports how many are done
    /// through its argument. Returns what <paramref name="work"/> returns.
    /// </summary>
    public static T Progress<T>(int steps, string description, Func<Action<int>, T> work)
    {
        var console = Errors();
        if (!console.Profile.Capabilities.Interactive)
        {
            // Redirected: one line at the start, none per step (a log, not an animation).
            console.WriteLine($"{description}…");
            return work(_ => { });
        }
        return console.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn()).Start(ctx =>
        {
            var task = ctx.AddTask(description, maxValue: steps);
            return work(done => task.Value = done);
        });
    }
}
