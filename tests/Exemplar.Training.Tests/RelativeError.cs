namespace Exemplar.Training.Tests;

/// <summary>Relative differences, as the parity tests measure them.</summary>
internal static class RelativeError
{
    /// <summary>
    /// |actual − expected| / |expected|, with the denominator floored at <paramref name="floor"/> so that a value
    /// crossing zero is judged by its absolute error.
    /// </summary>
    public static double Of(double actual, double expected, double floor) =>
        Math.Abs(actual - expected) / Math.Max(Math.Abs(expected), floor);
}
