namespace Exemplar.Vision.Transforms;

/// <summary>The random draws the transforms need, all from an explicitly seeded <see cref="Random"/>.</summary>
internal static class RandomDraws
{
    /// <summary>A uniform sample in [low, high).</summary>
    internal static double Uniform(this Random random, double low, double high) => low + (high - low) * random.NextDouble();

    /// <summary>True with probability <paramref name="probability"/> (always draws one number, so the stream stays aligned).</summary>
    internal static bool Chance(this Random random, double probability) => random.NextDouble() < probability;

    /// <summary>A Beta(alpha, beta) sample, as X / (X + Y) with X ~ Gamma(alpha), Y ~ Gamma(beta).</summary>
    internal static double Beta(this Random random, double alpha, double beta)
    {
        double x = random.Gamma(alpha), y = random.Gamma(beta);
        return x + y == 0 ? 0.5 : x / (x + y);
    }

    /// <summary>A Gamma(shape, 1) sample (Marsaglia and Tsang's method; shapes below 1 via the boost U^(1/shape)).</summary>
    internal static double Gamma(this Random random, double shape)
    {
        if (shape < 1)
        {
            double u = random.NextDouble();
            return random.Gamma(shape + 1) * Math.Pow(u, 1 / shape);
        }
        double d = shape - 1.0 / 3, c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = random.StandardNormal();
                v = 1 + c * x;
            }
            while (v <= 0);
            v = v * v * v;
            double u = random.NextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (Math.Log(u) < 0.5 * x * x + d * (1 - v + Math.Log(v))) return d * v;
        }
    }

    /// <summary>A standard normal sample (Box–Muller).</summary>
    internal static double StandardNormal(this Random random)
    {
        double u1 = 1 - random.NextDouble(); // (0, 1]: keeps the logarithm finite
        double u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
