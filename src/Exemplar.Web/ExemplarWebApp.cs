using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.FileProviders;
using Scalar.AspNetCore;

namespace Exemplar.Web;

/// <summary>
/// The web app: the page, the HTTP API, its OpenAPI document (<c>/openapi/v1.json</c>) and a Scalar page
/// (<c>/scalar</c>); the type is also the entry point WebApplicationFactory needs. <see cref="StartAsync"/> serves it with Kestrel; <see cref="CreateHostBuilder"/> gives the host
/// without a server, for tests (WebApplicationFactory adds its test server).
/// </summary>
public sealed class ExemplarWebApp
{
    private ExemplarWebApp()
    {
    }

    /// <summary>A host with the app's services and pipeline; <paramref name="kestrel"/> adds Kestrel with the options' address and limits.</summary>
    public static IHostBuilder CreateHostBuilder(ExemplarWebOptions options, bool kestrel = false)
    {
        options.Validate();
        return new HostBuilder()
            .ConfigureLogging(logging => logging.AddSimpleConsole(c => c.SingleLine = true).SetMinimumLevel(LogLevel.Warning))
            .ConfigureWebHost(web =>
            {
                if (kestrel) web.UseKestrel(k => Listen(k, options));
                web.ConfigureServices(services => AddServices(services, options));
                web.Configure(Configure);
            });
    }

    /// <summary>Starts the app with Kestrel; the model is loaded before this returns.</summary>
    public static async Task<ExemplarWebServer> StartAsync(ExemplarWebOptions options, CancellationToken cancellationToken = default)
    {
        var host = CreateHostBuilder(options, kestrel: true).Build();
        try
        {
            // Loading the model now, not on the first request: a bad bundle fails the start, and no request waits for it.
            _ = host.Services.GetRequiredService<ModelService>();
            await host.StartAsync(cancellationToken);
            var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
            return new ExemplarWebServer(host, new Uri(addresses.First()));
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    private static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, ExemplarWebOptions options)
    {
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
        kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(15);
        // Loopback unless asked: the demo has no accounts, so it should not be reachable from the network by accident.
        kestrel.Listen(options.AnyAddress ? IPAddress.IPv6Any : IPAddress.Loopback, options.Port);
    }

    private static void AddServices(IServiceCollection services, ExemplarWebOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<ModelService>();
        services.AddSingleton<PromptStore>(_ => new PromptStore(options));
        services.AddSingleton<WorkQueue>();
        services.AddProblemDetails();
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Exemplar";
            document.Info.Description = "Segmentation by example: give example images with masks, get the same thing segmented in other images.";
            return Task.CompletedTask;
        }));
        services.AddRouting();
        if (options.CorsOrigins.Count > 0) services.AddCors();
    }

    private static void Configure(IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<ExemplarWebOptions>();
        // Outermost: a real bug is a 500 problem document; inside it, refusals become their 4xx documents.
        app.UseExceptionHandler(new ExceptionHandlerOptions { StatusCodeSelector = e => e is BadHttpRequestException b ? b.StatusCode : 500 });
        app.UseStatusCodePages();
        app.UseMiddleware<ProblemMiddleware>();
        app.Use((context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
            return next(context);
        });
        if (options.CorsOrigins.Count > 0) app.UseCors(p => p.WithOrigins([.. options.CorsOrigins]).WithMethods("GET", "POST").WithHeaders("Content-Type", "Accept", ApiKeyMiddleware.Header));
        app.UseMiddleware<ApiKeyMiddleware>();
        var files = new EmbeddedFileProvider(typeof(ExemplarWebApp).Assembly, "wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = c => c.Context.Response.Headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'",
        });
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            ApiEndpoints.Map(endpoints);
            endpoints.MapOpenApi();
            endpoints.MapScalarApiReference(o => o.WithTitle("Exemplar API"));
        });
    }
}

/// <summary>A running server: its address, and stopping it.</summary>
public sealed class ExemplarWebServer : IAsyncDisposable
{
    private readonly IHost _host;

    internal ExemplarWebServer(IHost host, Uri url)
    {
        _host = host;
        Url = url;
    }

    /// <summary>Where it listens, e.g. http://127.0.0.1:5180/.</summary>
    public Uri Url { get; }

    /// <summary>Services (the model, the prompt store).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>Waits until the host stops (Ctrl+C, or <paramref name="cancellationToken"/>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _host.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops the server and frees the model.</summary>
    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
