using System.Security.Cryptography;
using System.Text;

namespace Exemplar.Web;

/// <summary>With an API key set, <c>/api/</c> requests without it in <c>X-Api-Key</c> are refused (401).</summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, ExemplarWebOptions options)
{
    public const string Header = "X-Api-Key";

    private readonly byte[]? _key = options.ApiKey is { } k ? SHA256.HashData(Encoding.UTF8.GetBytes(k)) : null;

    public Task InvokeAsync(HttpContext context)
    {
        if (_key is null || !context.Request.Path.StartsWithSegments("/api")) return next(context);
        string given = context.Request.Headers[Header].ToString();
        // Hashes of equal length compared in constant time: the answer's timing says nothing about the key.
        if (CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _key)) return next(context);
        throw new WebProblemException(StatusCodes.Status401Unauthorized, "Unauthorized", $"this server needs its API key in the {Header} header");
    }
}
