using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;

namespace Exemplar.Benchmarks;

/// <summary>What <c>exemplar bench web</c> measured.</summary>
/// <param name="Url">The server.</param>
/// <param name="Clients">Concurrent clients.</param>
/// <param name="Seconds">How long they ran.</param>
/// <param name="Requests">Requests answered.</param>
/// <param name="Succeeded">200s.</param>
/// <param name="Rejected">429s (the queue was full: the server shedding load, by design).</param>
/// <param name="Errors">Any other answer or failure.</param>
/// <param name="RequestsPerSecond">200s per second.</param>
/// <param name="P50Ms">Median latency of the 200s.</param>
/// <param name="P99Ms">99th-percentile latency of the 200s.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of this process (the server, when it runs in-process).</param>
/// <param name="FirstError">The first error's status and text, or null.</param>
public sealed record WebLoadResult(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("clients")] int Clients,
    [property: JsonPropertyName("seconds")] double Seconds,
    [property: JsonPropertyName("requests")] int Requests,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("rejected_429")] int Rejected,
    [property: JsonPropertyName("errors")] int Errors,
    [property: JsonPropertyName("requests_per_s")] double RequestsPerSecond,
    [property: JsonPropertyName("p50_ms")] double P50Ms,
    [property: JsonPropertyName("p99_ms")] double P99Ms,
    [property: JsonPropertyName("peak_rss_mb")] double PeakRssMegabytes,
    [property: JsonPropertyName("first_error")] string? FirstError);

/// <summary>
/// A load generator for <c>POST /api/segment</c>: N clients, each posting the same target with a stored prompt id as
/// fast as answers come, for T seconds. It speaks HTTP only (it does not know the server's code) and refuses anything
/// but a loopback address, so it cannot be pointed at someone else's machine.
/// </summary>
public static class WebLoadBenchmark
{
    /// <summary>The most clients and seconds it runs.</summary>
    public const int MaxClients = 64, MaxSeconds = 600;

    /// <summary>Refuses client counts and durations out of bounds (before anything starts).</summary>
    /// <exception cref="ArgumentException">Out of bounds (naming the option).</exception>
    public static void CheckBounds(int clients, double seconds)
    {
        if (clients is < 1 or > MaxClients) throw new ArgumentException($"--clients {clients}: give 1-{MaxClients}");
        if (!(seconds > 0 && seconds <= MaxSeconds)) throw new ArgumentException($"--seconds {seconds}: give more than 0 and at most {MaxSeconds}");
    }

    /// <summary>Posts one example to <c>/api/prompts</c> and returns the prompt's id.</summary>
    public static async Task<string> CreatePromptAsync(Uri server, byte[] example, byte[] mask, CancellationToken cancellationToken = default)
    {
        if (!server.IsLoopback) throw new ArgumentException($"{server}: the web benchmark runs against loopback addresses only");
        using var http = new HttpClient { BaseAddress = server };
        using var form = new MultipartFormDataContent { { new ByteArrayContent(example), "example", "example.jpg" }, { new ByteArrayContent(mask), "mask", "mask.png" } };
        using var response = await http.PostAsync("api/prompts", form, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /api/prompts: HTTP {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Runs the load against <paramref name="server"/> (loopback only).</summary>
    /// <exception cref="ArgumentException">A non-loopback server, or clients/seconds out of bounds.</exception>
    public static async Task<WebLoadResult> RunAsync(Uri server, string promptId, byte[] target, int clients, double seconds, CancellationToken cancellationToken = default)
    {
        if (!server.IsLoopback) throw new ArgumentException($"{server}: the web benchmark runs against loopback addresses only");
        CheckBounds(clients, seconds);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, UseProxy = false }) { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        var latencies = new List<double>();
        int rejected = 0, errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        async Task Client()
        {
            while (clock.Elapsed.TotalSeconds < seconds && !cancellationToken.IsCancellationRequested)
            {
                using var form = new MultipartFormDataContent { { new StringContent(promptId), "prompt" } };
                var part = new ByteArrayContent(target);
                part.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
                form.Add(part, "target", "target.jpg");
                long start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.PostAsync("api/segment", form, cancellationToken);
                    await response.Content.ReadAsByteArrayAsync(cancellationToken);
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    lock (latencies)
                    {
                        if (response.StatusCode == HttpStatusCode.OK) latencies.Add(ms);
                        else if (response.StatusCode == HttpStatusCode.TooManyRequests) rejected++;
                        else
                        {
                            errors++;
                            firstError ??= $"HTTP {(int)response.StatusCode}";
                        }
                    }
                    // A refused client backs off as Retry-After asks, briefly: the benchmark measures the server, not a retry storm.
                    if (response.StatusCode == HttpStatusCode.TooManyRequests) await Task.Delay(50, cancellationToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    lock (latencies)
                    {
                        errors++;
                        firstError ??= e.Message;
                    }
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(Client, cancellationToken)));
        double elapsed = clock.Elapsed.TotalSeconds;
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, Math.Max(0, (int)Math.Ceiling(p * latencies.Count) - 1))];
        using var process = Process.GetCurrentProcess();
        return new WebLoadResult(server.ToString(), clients, elapsed, latencies.Count + rejected + errors, latencies.Count, rejected, errors,
            latencies.Count / elapsed, Percentile(0.5), Percentile(0.99), process.PeakWorkingSet64 / 1048576.0, firstError);
    }
}
