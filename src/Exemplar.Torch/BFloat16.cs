namespace Exemplar.Torch;

/// <summary>
/// A bfloat16 value as stored in tensors and checkpoints (the upper 16 bits of a float32). Conversion from float
/// rounds to nearest even, as libtorch does.
/// </summary>
public readonly record struct BFloat16(ushort Bits)
{
    /// <summary>Rounds a float32 to the nearest bfloat16 (ties to even; NaN stays NaN).</summary>
    public static explicit operator BFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return new BFloat16(0x7FC0);
        uint rounding = 0x7FFFu + ((bits >> 16) & 1u);
        return new BFloat16((ushort)((bits + rounding) >> 16));
    }

    /// <summary>Widens to float32 exactly.</summary>
    public static explicit operator float(BFloat16 value) => BitConverter.UInt32BitsToSingle((uint)value.Bits << 16);

    /// <inheritdoc/>
    public override string ToString() => ((float)this).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
