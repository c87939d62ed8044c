using Exemplar.Web;
using Microsoft.Playwright;
using SkiaSharp;

namespace Exemplar.Web.Tests;

/// <summary>Skipped, visibly, where Debian's chromium is not installed (scripts/setup.sh installs it).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is absent (apt install chromium, or run scripts/setup.sh): skipping the browser test";
    }
}

/// <summary>The page end to end in Chromium, driven by Playwright, against the server on a loopback port.</summary>
public sealed class BrowserTests
{
    [ChromiumFact]
    public async Task Paint_an_example_segment_a_target_and_the_overlay_matches_the_ground_truth()
    {
        await using var server = await ExemplarWebApp.StartAsync(new ExemplarWebOptions { Port = 0, Threads = 2 });
        using var playwright = await Playwright.CreateAsync();
        // Debian's browser, never a downloaded one; no sandbox because CI containers run as root.
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(server.Url.ToString());

        await page.SetInputFilesAsync("#example-input", Samples.PathOf("cat_00.jpg"));
        var editor = page.Locator(".example canvas.editor");
        await editor.WaitForAsync();
        await page.Locator("#brush-size").FillAsync("40");
        var box = (await editor.BoundingBoxAsync())!;
        foreach (var stroke in StrokesInside("cat_00.png", marginPixels: 70))
        {
            var points = stroke.Select(p => (X: box.X + p.X * box.Width / 1282, Y: box.Y + p.Y * box.Height / 1282)).ToList();
            await page.Mouse.MoveAsync((float)points[0].X, (float)points[0].Y);
            await page.Mouse.DownAsync();
            foreach (var p in points.Skip(1)) await page.Mouse.MoveAsync((float)p.X, (float)p.Y, new() { Steps = 4 });
            await page.Mouse.UpAsync();
        }

        await page.SetInputFilesAsync("#target-input", Samples.PathOf("cat_01.jpg"));
        await page.Locator(".target").WaitForAsync();
        await page.ClickAsync("#run");
        await page.Locator(".target[data-done=true] canvas.view").WaitForAsync(new() { Timeout = 120_000 });
        Assert.DoesNotContain("error", await page.Locator("#status").GetAttributeAsync("class") ?? "");

        string dataUrl = await page.EvaluateAsync<string>("() => window.exemplar.maskDataUrl(0)");
        var mask = Convert.FromBase64String(dataUrl[(dataUrl.IndexOf(',') + 1)..]);
        double iou = Samples.IoU(Samples.Foreground(mask), Samples.Truth("cat_01.png"));
        string shot = Path.Combine(AppContext.BaseDirectory, "web-demo.png");
        await page.ScreenshotAsync(new() { Path = shot });
        // The README's picture: refreshed on request, not by every test run (it would dirty the working tree).
        string docs = Path.Combine(SharedFolder.RepositoryRoot, "docs", "images", "web-demo.png");
        if (!File.Exists(docs) || Environment.GetEnvironmentVariable("EXEMPLAR_WRITE_DOCS") == "1") File.Copy(shot, docs, overwrite: true);
        Assert.Empty(errors);
        Assert.True(iou > 0.6, $"IoU {iou:F3} of the page's mask with cat_01's ground truth (screenshot: {shot})");
    }

    /// <summary>
    /// A horizontal and a vertical stroke through the object's centre, in image pixels, kept
    /// <paramref name="marginPixels"/> inside it so the brush stays on the object.
    /// </summary>
    private static List<List<(double X, double Y)>> StrokesInside(string maskName, int marginPixels)
    {
        using var bitmap = SKBitmap.Decode(Samples.PathOf(maskName));
        var truth = Samples.Truth(maskName);
        int w = bitmap.Width, h = bitmap.Height;
        double cx = 0, cy = 0;
        int n = 0;
        for (int i = 0; i < truth.Length; i++) if (truth[i]) { cx += i % w; cy += i / w; n++; }
        int x0 = (int)(cx / n), y0 = (int)(cy / n);
        Assert.True(truth[y0 * w + x0], "the object's centroid is outside it");
        int Run(int step, bool horizontal)
        {
            int k = 0;
            while (true)
            {
                int x = horizontal ? x0 + (k + step) : x0, y = horizontal ? y0 : y0 + (k + step);
                if (x < 0 || y < 0 || x >= w || y >= h || !truth[y * w + x]) return k;
                k += step;
            }
        }
        int left = Run(-1, true) + marginPixels, right = Run(1, true) - marginPixels;
        int up = Run(-1, false) + marginPixels, down = Run(1, false) - marginPixels;
        return
        [
            [(x0 + Math.Min(0, left), y0), (x0 + Math.Max(0, right), y0)],
            [(x0, y0 + Math.Min(0, up)), (x0, y0 + Math.Max(0, down))],
        ];
    }
}
