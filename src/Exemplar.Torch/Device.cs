using System.Globalization;

namespace Exemplar.Torch;

/// <summary>Kinds of device, numbered as <c>c10::DeviceType</c>.</summary>
public enum DeviceType
{
    /// <summary>The host processor.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
    /// <summary>No data at all, only shapes and dtypes: for counting parameters and MACs of huge models cheaply.</summary>
    Meta = 14,
}

/// <summary>Where a tensor lives: <c>cpu</c> or <c>cuda:N</c>.</summary>
/// <param name="Type">The kind of device.</param>
/// <param name="Index">The device ordinal; -1 means "the current one" (always the case for the CPU).</param>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The host processor.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>The meta device: tensors with shapes but no storage.</summary>
    public static Device Meta { get; } = new(DeviceType.Meta);

    /// <summary>The CUDA device with ordinal <paramref name="index"/>.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>Parses <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>.</summary>
    /// <exception cref="FormatException">The text names no device.</exception>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda") return Cuda(0);
        if (t == "meta") return Meta;
        if (t.StartsWith("cuda:", StringComparison.Ordinal)
            && int.TryParse(t.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
        {
            return Cuda(index);
        }
        throw new FormatException($"'{text}' is not a device: expected cpu, cuda, cuda:N or meta");
    }

    /// <inheritdoc/>
    public override string ToString() => Type switch
    {
        DeviceType.Cpu => "cpu",
        DeviceType.Meta => "meta",
        _ => Index < 0 ? "cuda" : $"cuda:{Index}",
    };
}
