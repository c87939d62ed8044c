using Exemplar.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;

namespace Exemplar.Web.Tests;

/// <summary>
/// The app in a test server with the given options (the default bundle; no Kestrel, no port). The host comes from
/// <see cref="ExemplarWebApp.CreateHostBuilder"/>; the factory's type argument only has to name an assembly with an
/// entry point, which the web library has not, so it is this test assembly.
/// </summary>
public sealed class WebFactory : WebApplicationFactory<WebFactory>
{
    private readonly ExemplarWebOptions _options;

    public WebFactory() : this(new ExemplarWebOptions { Threads = 2 }, 0)
    {
    }

    private WebFactory(ExemplarWebOptions options, int _) => _options = options;

    public static WebFactory With(ExemplarWebOptions options) => new(options, 0);

    protected override IHostBuilder CreateHostBuilder() => ExemplarWebApp.CreateHostBuilder(_options);

    // The factory guesses a content root from the solution folder; the app needs none (its page is embedded).
    protected override void ConfigureWebHost(IWebHostBuilder builder) => builder.UseContentRoot(AppContext.BaseDirectory);
}
