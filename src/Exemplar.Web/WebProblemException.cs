namespace Exemplar.Web;

/// <summary>A request the API refuses: becomes an RFC 7807 problem document with <see cref="Status"/>.</summary>
/// <param name="status">The HTTP status (4xx, or 503 when overloaded).</param>
/// <param name="title">A short, fixed summary of the kind of problem.</param>
/// <param name="detail">What was wrong with this request (names the field or file).</param>
internal sealed class WebProblemException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    /// <summary>Seconds after which a retry may succeed (429, 503), or null.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static WebProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static WebProblemException Unprocessable(string detail) => new(StatusCodes.Status422UnprocessableEntity, "Unusable input", detail);

    public static WebProblemException TooLarge(string detail) => new(StatusCodes.Status413PayloadTooLarge, "Too large", detail);

    public static WebProblemException UnsupportedMedia(string detail) => new(StatusCodes.Status415UnsupportedMediaType, "Unsupported content", detail);
}
