using System.CommandLine;
using Exemplar.Web;

namespace Exemplar.Cli;

/// <summary><c>exemplar serve</c>: the web demo and HTTP API (Exemplar.Web) on Exemplar.Runtime.</summary>
internal static class ServeCommand
{
    internal static Command Create(Option<int?> threads)
    {
        var port = new Option<int>("--port") { Description = "TCP port (0: any free one).", DefaultValueFactory = _ => 5180 };
        var model = new Option<FileInfo?>("--model") { Description = "The .exemplar bundle (default: models/mobilenetv2-int8.exemplar)." };
        var apiKey = new Option<string?>("--api-key") { Description = "Require this key in the X-Api-Key header of /api/ requests (or set EXEMPLAR_API_KEY)." };
        var anyAddress = new Option<bool>("--any-address") { Description = "Listen on every network interface, not only loopback (the default)." };
        var concurrency = new Option<int?>("--concurrency") { Description = "Model runs at once (default: half the processors)." };
        var queue = new Option<int>("--queue") { Description = "Requests waiting beyond those running; more get 429.", DefaultValueFactory = _ => 8 };
        var cors = new Option<string[]>("--cors-origin") { Description = "Allow pages of this origin to call the API (repeatable; none by default).", AllowMultipleArgumentsPerToken = true };
        var command = new Command("serve", "Serve the web demo and HTTP API (OpenAPI at /openapi/v1.json, reference at /scalar) until Ctrl+C.")
        {
            port, model, apiKey, anyAddress, concurrency, queue, cors,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var defaults = new ExemplarWebOptions();
            var options = new ExemplarWebOptions
            {
                Port = result.GetValue(port),
                ModelPath = result.GetValue(model)?.FullName,
                ApiKey = result.GetValue(apiKey) ?? (Environment.GetEnvironmentVariable("EXEMPLAR_API_KEY") is { Length: > 0 } k ? k : null),
                AnyAddress = result.GetValue(anyAddress),
                Threads = ExemplarCommand.ThreadCount(result, threads),
                Concurrency = result.GetValue(concurrency) ?? defaults.Concurrency,
                QueueLength = result.GetValue(queue),
                CorsOrigins = result.GetValue(cors) ?? [],
            };
            Terminal.Note("loading the model…");
            await using var server = await ExemplarWebApp.StartAsync(options, cancellationToken);
            var url = options.AnyAddress ? new UriBuilder(server.Url) { Host = Environment.MachineName }.Uri : server.Url;
            Console.WriteLine($"Exemplar demo: {url}  (API reference: {new Uri(url, "scalar")}; Ctrl+C stops)");
            if (options.AnyAddress && options.ApiKey is null) Terminal.Note("warning: listening on every interface without --api-key");
            await server.WaitForShutdownAsync(cancellationToken);
            return 0;
        });
        return command;
    }
}
