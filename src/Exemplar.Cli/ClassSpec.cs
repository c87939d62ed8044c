using System.Globalization;
using Exemplar.Vision.IO;

namespace Exemplar.Cli;

/// <summary>How the <c>--mask</c> files store their labels (<c>--mask-format</c>).</summary>
internal enum MaskFormat
{
    /// <summary>Binary for one class without ids; class ids otherwise; colours when a --class gives one.</summary>
    Auto,
    /// <summary>One class: 0/1, 0/255 or any colour on black.</summary>
    Binary,
    /// <summary>Gray values (or palette indices) are class ids.</summary>
    Ids,
    /// <summary>A palette PNG whose indices are class ids.</summary>
    Palette,
    /// <summary>Colour-coded: each class has a colour (its --class NAME=#RRGGBB, else the VOC palette colour of its id).</summary>
    Rgb,
}

/// <summary>One <c>--class</c> value: <c>NAME</c>, <c>NAME=ID</c> or <c>NAME=#RRGGBB</c>.</summary>
/// <param name="Name">The class name.</param>
/// <param name="Id">The id its pixels hold in class-id masks, when given.</param>
/// <param name="Color">Its colour in colour-coded masks, when given.</param>
internal sealed record ClassSpec(string Name, long? Id, Rgba32? Color)
{
    /// <summary>Parses one --class value.</summary>
    /// <exception cref="ArgumentException">The value after '=' is neither an id nor a #RRGGBB colour.</exception>
    public static ClassSpec Parse(string text)
    {
        int eq = text.LastIndexOf('=');
        if (eq < 0) return new ClassSpec(text, null, null);
        string name = text[..eq], value = text[(eq + 1)..];
        if (name.Length == 0) throw new ArgumentException($"--class {text}: the class name is missing before '='");
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long id)) return new ClassSpec(name, id, null);
        if (value.Length == 7 && value[0] == '#' && int.TryParse(value.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int rgb))
        {
            return new ClassSpec(name, null, new Rgba32((byte)(rgb >> 16), (byte)(rgb >> 8), (byte)rgb));
        }
        throw new ArgumentException($"--class {text}: after '=' give the class's id in the masks (e.g. road=3) or its colour (e.g. road=#804080)");
    }
}
