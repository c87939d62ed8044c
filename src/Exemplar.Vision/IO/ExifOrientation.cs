namespace Exemplar.Vision.IO;

/// <summary>
/// The EXIF orientation tag (0x0112): how the stored pixels must be transformed to show the picture upright.
/// Values are the tag's own numbers.
/// </summary>
public enum ExifOrientation
{
    /// <summary>Stored upright (also used when there is no tag or it is invalid).</summary>
    Normal = 1,
    /// <summary>Mirrored left-right.</summary>
    FlipHorizontal = 2,
    /// <summary>Rotated 180°.</summary>
    Rotate180 = 3,
    /// <summary>Mirrored top-bottom.</summary>
    FlipVertical = 4,
    /// <summary>Mirrored along the main diagonal (rows become columns).</summary>
    Transpose = 5,
    /// <summary>Displayed after rotating the stored pixels 90° clockwise.</summary>
    Rotate90Clockwise = 6,
    /// <summary>Mirrored along the anti-diagonal.</summary>
    Transverse = 7,
    /// <summary>Displayed after rotating the stored pixels 90° counter-clockwise.</summary>
    Rotate90CounterClockwise = 8,
}

/// <summary>Facts about <see cref="ExifOrientation"/> values.</summary>
public static class ExifOrientationInfo
{
    /// <summary>Whether applying the orientation swaps width and height.</summary>
    public static bool SwapsAxes(this ExifOrientation orientation) => orientation >= ExifOrientation.Transpose;
}
