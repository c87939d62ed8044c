namespace Exemplar.Vision.Datasets;

/// <summary>
/// The random numbers of NumPy's legacy <c>numpy.random.RandomState</c> (what <c>np.random.seed</c> and
/// <c>np.random.choice</c> use), reproduced exactly: the Mersenne Twister MT19937 seeded with <c>init_genrand</c>,
/// bounded integers by masked rejection (<c>random_interval</c>), <c>permutation</c> by a Fisher–Yates shuffle from
/// the last element down, and <c>choice(n, 1, replace=False)</c> as the first element of <c>permutation(n)</c>.
/// Few-shot benchmarks (HSNet, Matcher) draw their episodes this way after <c>np.random.seed(0)</c>, so the same calls
/// here give the same episodes on every machine. Not thread-safe.
/// </summary>
public sealed class NumpyRandomState
{
    private const int StateLength = 624;
    private const int Shift = 397;
    private readonly uint[] _state = new uint[StateLength];
    private int _position;

    /// <summary>The generator <c>np.random.RandomState(seed)</c> (or after <c>np.random.seed(seed)</c>).</summary>
    public NumpyRandomState(uint seed)
    {
        Seed = seed;
        _state[0] = seed;
        for (int i = 1; i < StateLength; i++)
        {
            uint previous = _state[i - 1];
            _state[i] = unchecked(1812433253u * (previous ^ (previous >> 30)) + (uint)i);
        }
        _position = StateLength;
    }

    /// <summary>The seed.</summary>
    public uint Seed { get; }

    /// <summary>The next 32-bit output of MT19937.</summary>
    public uint NextUInt32()
    {
        if (_position >= StateLength) Twist();
        uint y = _state[_position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>A uniform integer in [0, <paramref name="max"/>] (inclusive), as NumPy's <c>random_interval</c> draws it.</summary>
    public uint NextInterval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        do
        {
            value = NextUInt32() & mask;
        }
        while (value > max);
        return value;
    }

    /// <summary><c>permutation(n)</c>: 0..n-1 shuffled.</summary>
    public int[] Permutation(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var values = new int[n];
        for (int i = 0; i < n; i++) values[i] = i;
        Shuffle(values);
        return values;
    }

    /// <summary><c>shuffle(values)</c>: in place, swapping each position from the last down to 1 with a random one at or before it.</summary>
    public void Shuffle<T>(T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        for (int i = values.Length - 1; i > 0; i--)
        {
            int j = (int)NextInterval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }

    /// <summary>
    /// <c>choice(n, 1, replace=False)[0]</c>: an index in 0..n-1. It costs a whole permutation of n (n − 1 draws or more),
    /// as in NumPy, which is what keeps later draws in step with it.
    /// </summary>
    public int ChoiceWithoutReplacement(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "cannot choose from an empty population");
        return Permutation(n)[0];
    }

    private void Twist()
    {
        for (int i = 0; i < StateLength; i++)
        {
            uint y = (_state[i] & 0x80000000u) | (_state[(i + 1) % StateLength] & 0x7fffffffu);
            uint next = _state[(i + Shift) % StateLength] ^ (y >> 1);
            if ((y & 1) != 0) next ^= 0x9908b0dfu;
            _state[i] = next;
        }
        _position = 0;
    }
}
