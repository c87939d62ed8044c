using Microsoft.AspNetCore.Http.Features;

namespace Exemplar.Web;

/// <summary>
/// A multipart form read within the limits: the total body, the number of files and each file's size. Files are read
/// into memory and the form's own temporary files are removed when the request ends.
/// </summary>
internal sealed class UploadForm
{
    private readonly IFormCollection _form;
    private readonly ExemplarWebOptions _options;

    private UploadForm(IFormCollection form, ExemplarWebOptions options)
    {
        _form = form;
        _options = options;
    }

    public static async Task<UploadForm> ReadAsync(HttpRequest request, ExemplarWebOptions options, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            throw WebProblemException.UnsupportedMedia($"send multipart/form-data, not '{request.ContentType ?? "no content type"}'");
        }
        if (request.ContentLength > options.MaxRequestBytes)
        {
            throw WebProblemException.TooLarge($"the request is {request.ContentLength:N0} bytes, more than the {options.MaxRequestBytes:N0} allowed");
        }
        // Kestrel enforces the body limit while streaming (a chunked body has no Content-Length to check first).
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = options.MaxRequestBytes;
        var formOptions = new FormOptions
        {
            MultipartBodyLengthLimit = options.MaxRequestBytes,
            ValueCountLimit = 256,
            ValueLengthLimit = 4096,
            MultipartHeadersLengthLimit = 16 * 1024,
        };
        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, formOptions));
        var form = await request.ReadFormAsync(cancellationToken);
        if (form.Files.Count > options.MaxFiles) throw WebProblemException.TooLarge($"{form.Files.Count} files, more than the {options.MaxFiles} allowed");
        return new UploadForm(form, options);
    }

    /// <summary>The text values of a field.</summary>
    public IReadOnlyList<string> Values(string name) => [.. _form[name].Where(v => v is not null).Select(v => v!.Trim())];

    /// <summary>The files of a field, in order.</summary>
    public IReadOnlyList<IFormFile> Files(string name) => _form.Files.GetFiles(name);

    /// <summary>Reads one file into memory, within the per-file limit.</summary>
    public async Task<byte[]> ReadAsync(IFormFile file, CancellationToken cancellationToken)
    {
        if (file.Length > _options.MaxFileBytes)
        {
            throw WebProblemException.TooLarge($"{file.Name} '{SafeName(file)}': {file.Length:N0} bytes, more than the {_options.MaxFileBytes:N0} allowed per file");
        }
        if (file.Length == 0) throw WebProblemException.BadRequest($"{file.Name} '{SafeName(file)}': the file is empty");
        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return bytes;
    }

    /// <summary>An image file: read, sniffed and its header probed.</summary>
    public async Task<ImageUpload> ImageAsync(IFormFile file, CancellationToken cancellationToken) =>
        ImageUpload.Probe(file.Name, SafeName(file), await ReadAsync(file, cancellationToken), _options.MaxPixels);

    /// <summary>
    /// The client's file name for messages only, never as a path: its last segment, printable characters, at most 80.
    /// </summary>
    public static string SafeName(IFormFile file)
    {
        string name = Path.GetFileName(file.FileName.Replace('\\', '/'));
        name = new string([.. name.Where(c => !char.IsControl(c)).Take(80)]);
        return name.Length == 0 ? "unnamed" : name;
    }
}
