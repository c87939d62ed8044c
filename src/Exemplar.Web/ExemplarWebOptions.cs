namespace Exemplar.Web;

/// <summary>How the web app runs: where it listens, which model it serves, and the limits that keep it safe.</summary>
public sealed record ExemplarWebOptions
{
    /// <summary>The TCP port (0: any free port; the address chosen is printed and in <see cref="ExemplarWebServer.Url"/>).</summary>
    public int Port { get; init; } = 5180;

    /// <summary>Listen on every network interface instead of loopback only (the default keeps the demo on this machine).</summary>
    public bool AnyAddress { get; init; }

    /// <summary>The .exemplar bundle (null: the default bundle).</summary>
    public string? ModelPath { get; init; }

    /// <summary>ONNX Runtime intra-op threads per graph run (0: every core).</summary>
    public int Threads { get; init; }

    /// <summary>When set, every <c>/api/</c> request must carry it in the <c>X-Api-Key</c> header.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Origins allowed to call the API from other sites' pages (none by default: CORS closed).</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>The most bytes in one request body.</summary>
    public long MaxRequestBytes { get; init; } = 64L << 20;

    /// <summary>The most bytes in one uploaded file.</summary>
    public long MaxFileBytes { get; init; } = 20L << 20;

    /// <summary>The most files in one request.</summary>
    public int MaxFiles { get; init; } = 32;

    /// <summary>The most pixels in one image, read from its header before any pixel is decoded.</summary>
    public long MaxPixels { get; init; } = 24_000_000;

    /// <summary>Model runs at once.</summary>
    public int Concurrency { get; init; } = Math.Max(1, Environment.ProcessorCount / 2);

    /// <summary>Requests waiting for a run beyond those running; more are refused with 429 and Retry-After.</summary>
    public int QueueLength { get; init; } = 8;

    /// <summary>How long one request may take, waiting included (then 503 with Retry-After).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The most prompts kept in memory (the least recently used one goes first).</summary>
    public int MaxPrompts { get; init; } = 64;

    /// <summary>How long a prompt is kept after its last use.</summary>
    public TimeSpan PromptLifetime { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentException">A limit out of range (naming it).</exception>
    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ArgumentException($"port {Port}: give 0-65535");
        if (MaxRequestBytes < 1 || MaxFileBytes < 1 || MaxFiles < 1 || MaxPixels < 1) throw new ArgumentException("the size limits must be positive");
        if (Concurrency < 1 || QueueLength < 0) throw new ArgumentException($"concurrency {Concurrency} must be at least 1 and the queue length {QueueLength} at least 0");
        if (RequestTimeout <= TimeSpan.Zero || PromptLifetime <= TimeSpan.Zero || MaxPrompts < 1) throw new ArgumentException("the timeout, prompt lifetime and prompt count must be positive");
        if (ApiKey is { Length: 0 }) throw new ArgumentException("the API key is empty");
    }
}
