using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Exemplar.Runtime;

namespace Exemplar.Cli;

/// <summary>One frame of a <see cref="VideoSource"/>.</summary>
/// <param name="Index">Its position (0 first).</param>
/// <param name="Name">Its name for output files: the image file's stem, or the frame number (00000, 00001, …) of a video.</param>
/// <param name="Image">Its pixels.</param>
internal sealed record VideoFrame(int Index, string Name, ImageInput Image);

/// <summary>
/// Frames from a folder of images (sorted by file name, ordinal) or from a video file decoded by Debian's
/// <c>ffmpeg</c> into raw RGB frames over a pipe (size and frame rate from <c>ffprobe</c>).
/// </summary>
internal sealed class VideoSource
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    private readonly string[]? _files;

    private VideoSource(string path, string[]? files, int width, int height, double? frameRate, int? frameCount)
    {
        Path = path;
        _files = files;
        Width = width;
        Height = height;
        FrameRate = frameRate;
        FrameCount = frameCount;
    }

    /// <summary>The folder or video file.</summary>
    public string Path { get; }

    /// <summary>Whether frames come from a video file (not a folder of images).</summary>
    public bool IsVideo => _files is null;

    /// <summary>Frame width in pixels (0 for a folder: each image has its own).</summary>
    public int Width { get; }

    /// <summary>Frame height in pixels (0 for a folder).</summary>
    public int Height { get; }

    /// <summary>Frames per second of a video (null for a folder).</summary>
    public double? FrameRate { get; }

    /// <summary>The number of frames when known (a folder's files; a video's container count, which may be missing).</summary>
    public int? FrameCount { get; }

    /// <summary>The frame names in order when they are known before reading (a folder).</summary>
    public IReadOnlyList<string>? FileNames => _files;

    /// <summary>Opens a folder of images or a video file.</summary>
    /// <exception cref="FileNotFoundException">No such file or folder.</exception>
    /// <exception cref="InvalidDataException">A folder without images, or a file that is not a video (naming it).</exception>
    /// <exception cref="InvalidOperationException">ffprobe/ffmpeg is not installed.</exception>
    public static VideoSource Open(string path)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path).Where(f => ImageExtensions.Contains(System.IO.Path.GetExtension(f).ToLowerInvariant()))
                .Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new InvalidDataException($"{path}: no frames (images {string.Join(", ", ImageExtensions)}) in the folder");
            return new VideoSource(path, files, 0, 0, null, files.Length);
        }
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no such video file or folder of frames", path);
        var (width, height, rate, count) = Probe(path);
        return new VideoSource(path, null, width, height, rate, count);
    }

    /// <summary>The frames in order (a video is decoded as it is read; stop early by leaving the loop).</summary>
    public IEnumerable<VideoFrame> Frames()
    {
        if (_files is not null)
        {
            for (int i = 0; i < _files.Length; i++) yield return new VideoFrame(i, System.IO.Path.GetFileNameWithoutExtension(_files[i]), ImageInput.FromFile(_files[i]));
            yield break;
        }
        using var process = Ffmpeg.Start("ffmpeg", ["-v", "error", "-nostdin", "-noautorotate", "-i", Path, "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], redirectInput: false);
        var stdout = process.Process.StandardOutput.BaseStream;
        int frameBytes = Width * Height * 3, index = 0;
        bool finished = false;
        try
        {
            while (true)
            {
                var buffer = new byte[frameBytes];
                int read = stdout.ReadAtLeast(buffer, frameBytes, throwOnEndOfStream: false);
                if (read == 0) break;
                if (read < frameBytes) throw new InvalidDataException($"{Path}: frame {index} is truncated ({read} of {frameBytes} bytes)");
                string name = index.ToString("D5", CultureInfo.InvariantCulture);
                yield return new VideoFrame(index, name, ImageInput.FromPixels(buffer, Width, Height, PixelFormat.Rgb24, name: $"{Path} frame {index}"));
                index++;
            }
            finished = true;
        }
        finally
        {
            process.Finish(finished, $"{Path}: ffmpeg could not decode the video");
        }
        if (index == 0) throw new InvalidDataException($"{Path}: the video has no frames");
    }

    /// <summary>Width, height, frame rate and (when the container says) frame count of the first video stream.</summary>
    private static (int Width, int Height, double Rate, int? Count) Probe(string path)
    {
        using var process = Ffmpeg.Start("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames", "-of", "json", path], redirectInput: false);
        string json = process.Process.StandardOutput.ReadToEnd();
        process.Finish(true, $"{path}: not a video ffprobe can read");
        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0) throw new InvalidDataException($"{path}: not a video (ffprobe finds no video stream)");
        var stream = streams[0];
        int width = stream.TryGetProperty("width", out var w) ? w.GetInt32() : 0, height = stream.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width < 1 || height < 1) throw new InvalidDataException($"{path}: the video stream has no frame size");
        double rate = Rate(stream, "avg_frame_rate") ?? Rate(stream, "r_frame_rate") ?? 25;
        int? count = stream.TryGetProperty("nb_frames", out var n) && int.TryParse(n.GetString(), CultureInfo.InvariantCulture, out int frames) ? frames : null;
        return (width, height, rate, count);
    }

    private static double? Rate(JsonElement stream, string key)
    {
        if (!stream.TryGetProperty(key, out var value) || value.GetString() is not { } text) return null;
        var parts = text.Split('/');
        if (parts.Length == 2 && double.TryParse(parts[0], CultureInfo.InvariantCulture, out double num) && double.TryParse(parts[1], CultureInfo.InvariantCulture, out double den) && num > 0 && den > 0) return num / den;
        return null;
    }
}

/// <summary>
/// Writes RGBA frames into an H.264 MP4 through <c>ffmpeg</c> (raw frames over its standard input; odd sizes padded
/// to even ones as yuv420p needs). An existing file is replaced only with <c>overwrite</c>.
/// </summary>
internal sealed class VideoWriter : IDisposable
{
    private readonly Ffmpeg _ffmpeg;
    private readonly Stream _stdin;
    private bool _closed;

    /// <summary>Starts ffmpeg writing <paramref name="path"/> at <paramref name="frameRate"/> frames per second.</summary>
    /// <exception cref="IOException">The file exists and <paramref name="overwrite"/> is false.</exception>
    public VideoWriter(string path, int width, int height, double frameRate, bool overwrite)
    {
        if (File.Exists(path) && !overwrite) throw new IOException($"{path} exists; pass --force to overwrite it");
        if (!(frameRate > 0) || !double.IsFinite(frameRate)) throw new ArgumentException($"{path}: frame rate {frameRate} must be positive");
        Path = path;
        Width = width;
        Height = height;
        _ffmpeg = Ffmpeg.Start("ffmpeg", ["-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgba", "-s", $"{width}x{height}", "-r", frameRate.ToString("R", CultureInfo.InvariantCulture),
            "-i", "-", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", path], redirectInput: true);
        _stdin = _ffmpeg.Process.StandardInput.BaseStream;
    }

    /// <summary>The file written.</summary>
    public string Path { get; }

    /// <summary>Frame width.</summary>
    public int Width { get; }

    /// <summary>Frame height.</summary>
    public int Height { get; }

    /// <summary>Appends one frame: [H, W, 4] RGBA bytes.</summary>
    public void Write(ReadOnlySpan<byte> rgba)
    {
        if (rgba.Length != Width * Height * 4) throw new ArgumentException($"{Path}: a frame of {rgba.Length} bytes is not {Width}x{Height} RGBA");
        try
        {
            _stdin.Write(rgba);
        }
        catch (IOException e)
        {
            throw new IOException($"{Path}: ffmpeg stopped taking frames ({_ffmpeg.Errors()})", e);
        }
    }

    /// <summary>Finishes the file (closes ffmpeg's input and waits for it); throws when ffmpeg failed.</summary>
    public void Complete()
    {
        if (_closed) return;
        _closed = true;
        _stdin.Close();
        _ffmpeg.Finish(true, $"{Path}: ffmpeg could not write the video");
    }

    /// <summary>Stops ffmpeg (a file not completed is removed).</summary>
    public void Dispose()
    {
        if (!_closed)
        {
            _closed = true;
            try { _stdin.Close(); } catch (IOException) { }
            _ffmpeg.Finish(false, "");
            try { File.Delete(Path); } catch (IOException) { }
        }
        _ffmpeg.Dispose();
    }
}

/// <summary>An ffmpeg or ffprobe process, its standard error collected for messages.</summary>
internal sealed class Ffmpeg : IDisposable
{
    private readonly System.Text.StringBuilder _errors = new();

    private Ffmpeg(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Starts <paramref name="tool"/>; a missing tool is a clear error saying how to install it.</summary>
    public static Ffmpeg Start(string tool, IReadOnlyList<string> arguments, bool redirectInput)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is not installed (needed for video files; Debian: apt-get install ffmpeg, or scripts/setup.sh); a folder of frames works without it ({e.Message})", e);
        }
        var ffmpeg = new Ffmpeg(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (ffmpeg._errors) if (ffmpeg._errors.Length < 4000) ffmpeg._errors.AppendLine(e.Data);
        };
        process.BeginErrorReadLine();
        return ffmpeg;
    }

    /// <summary>What the tool wrote on standard error, on one line.</summary>
    public string Errors()
    {
        lock (_errors) return _errors.ToString().Trim().ReplaceLineEndings("; ");
    }

    /// <summary>
    /// Waits for the tool; when <paramref name="check"/>, a failure is an <see cref="InvalidDataException"/> starting with
    /// <paramref name="failure"/> and ffmpeg's own words. Unchecked (stopped early), the process is killed.
    /// </summary>
    public void Finish(bool check, string failure)
    {
        if (!check)
        {
            if (!Process.HasExited)
            {
                try { Process.Kill(); } catch (InvalidOperationException) { }
            }
            Process.WaitForExit();
            return;
        }
        Process.WaitForExit();
        if (Process.ExitCode != 0) throw new InvalidDataException($"{failure} (exit code {Process.ExitCode}: {Errors()})");
    }

    public void Dispose() => Process.Dispose();
}
