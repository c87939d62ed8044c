namespace Exemplar.Web;

/// <summary>
/// Turns refusals (<see cref="WebProblemException"/>) and malformed requests (<see cref="BadHttpRequestException"/>,
/// a body over the limit, a broken multipart stream) into problem documents, so bad input never comes out as a 500.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && Refusal(e, context) is { } refusal)
        {
            context.Response.Clear();
            context.Response.StatusCode = refusal.Status;
            if (refusal.RetryAfterSeconds is { } seconds) context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = refusal.Status, Title = refusal.Title, Detail = refusal.Message },
            });
        }
    }

    private static WebProblemException? Refusal(Exception e, HttpContext context) => e switch
    {
        WebProblemException p => p,
        BadHttpRequestException b => new WebProblemException(b.StatusCode, "Bad request", b.Message),
        // ReadFormAsync reports a damaged or oversized multipart body this way.
        InvalidDataException d => d.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? WebProblemException.TooLarge(d.Message) : WebProblemException.BadRequest(d.Message),
        // The client went away: nobody reads the answer, but the log should not call it a server error.
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => new WebProblemException(499, "Client closed request", "the client went away"),
        // Any other cancellation is the request's own deadline (reading the upload took too long, say).
        OperationCanceledException => new WebProblemException(StatusCodes.Status503ServiceUnavailable, "Timed out", "the request took longer than the server allows") { RetryAfterSeconds = 5 },
        _ => null,
    };
}
