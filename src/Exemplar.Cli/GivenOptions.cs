using System.CommandLine;

namespace Exemplar.Cli;

/// <summary>
/// Refuses options given on the command line that the chosen mode would ignore: a score computed without an option
/// the user asked for would be a silent wrong answer.
/// </summary>
internal static class GivenOptions
{
    /// <summary>Throws for the first of <paramref name="options"/> the command line gave: "<c>--name</c> <paramref name="reason"/>".</summary>
    /// <exception cref="ArgumentException">One of the options was given.</exception>
    public static void Refuse(ParseResult result, string reason, params IEnumerable<Option> options)
    {
        foreach (var option in options)
        {
            if (result.GetResult(option) is { Implicit: false }) throw new ArgumentException($"{option.Name} {reason}");
        }
    }
}
