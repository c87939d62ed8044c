using Exemplar.Web;
using Microsoft.Playwright;
using SkiaSharp;
using Xunit.Abstractions;

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
public sealed class BrowserTests(ITestOutputHelper output)
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
        foreach (var stroke in StrokesInside("cat_00.png", marginPixels: 60))
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
        // Done, or an error the page shows: either way the test says what the page says.
        await page.WaitForFunctionAsync("() => document.querySelector('.target[data-done=true] canvas.view') || document.querySelector('#status.error')", null, new() { Timeout = 120_000 });
        string statusText = await page.Locator("#status").InnerTextAsync();
        Assert.True(await page.Locator(".target[data-done=true] canvas.view").CountAsync() == 1, $"the page says: {statusText}; page errors: {string.Join("; ", errors)}");

        string dataUrl = await page.EvaluateAsync<string>("() => window.exemplar.maskDataUrl(0)");
        var mask = Convert.FromBase64String(dataUrl[(dataUrl.IndexOf(',') + 1)..]);
        double iou = Samples.IoU(Samples.Foreground(mask), Samples.Truth("cat_01.png"));
        output.WriteLine($"IoU of the page's mask with cat_01's ground truth: {iou:F3}");
        string shot = Path.Combine(AppContext.BaseDirectory, "web-demo.png");
        await page.ScreenshotAsync(new() { Path = shot });
        // The README's picture: refreshed on request, not by every test run (it would dirty the working tree).
        string docs = Path.Combine(SharedFolder.RepositoryRoot, "docs", "images", "web-demo.png");
        if (!File.Exists(docs) || Environment.GetEnvironmentVariable("EXEMPLAR_WRITE_DOCS") == "1") File.Copy(shot, docs, overwrite: true);
        Assert.True(iou > 0.6, $"IoU {iou:F3} of the page's mask with cat_01's ground truth (screenshot: {shot})");

        // Downloads: the prompt file, the masks as a zip, COCO JSON.
        var prompt = await DownloadAsync(page, "#save-prompt");
        Assert.Equal("EXPROMPT"u8.ToArray(), prompt[..8]);
        using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(await DownloadAsync(page, "#download-zip"))))
        {
            var entry = Assert.Single(zip.Entries);
            Assert.Equal("cat_01_mask.png", entry.FullName);
            using var stream = entry.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            Assert.True(Samples.IoU(Samples.Foreground(copy.ToArray()), Samples.Truth("cat_01.png")) > 0.6);
        }
        using (var coco = System.Text.Json.JsonDocument.Parse(await DownloadAsync(page, "#download-coco")))
        {
            Assert.Equal("cat_01.jpg", coco.RootElement.GetProperty("images")[0].GetProperty("file_name").GetString());
            Assert.Equal("object", coco.RootElement.GetProperty("categories")[0].GetProperty("name").GetString());
            Assert.True(coco.RootElement.GetProperty("annotations").GetArrayLength() >= 1);
        }

        // The annotation loop: the result becomes an example, a polygon adds to its mask, undo takes it back.
        await page.ClickAsync(".target button:has-text('Add as example')");
        Assert.Equal(2, await page.Locator(".example").CountAsync());
        const string AreaOfSecond = "() => window.exemplar.state.examples[1].view.ids.reduce((s, v) => s + (v ? 1 : 0), 0)";
        long before = await page.EvaluateAsync<long>(AreaOfSecond);
        await page.ClickAsync("[data-tool=polygon]");
        var editor2 = page.Locator(".example canvas.editor").Nth(1);
        await editor2.ScrollIntoViewIfNeededAsync();                    // below the fold: the mouse only reaches the viewport
        var second = (await editor2.BoundingBoxAsync())!;
        foreach (var (fx, fy) in new[] { (0.02, 0.02), (0.2, 0.02), (0.02, 0.2) }) await page.Mouse.ClickAsync((float)(second.X + fx * second.Width), (float)(second.Y + fy * second.Height));
        await page.Mouse.DblClickAsync((float)(second.X + 0.02 * second.Width), (float)(second.Y + 0.2 * second.Height));
        long withPolygon = await page.EvaluateAsync<long>(AreaOfSecond);
        Assert.True(withPolygon > before + 1000, $"the polygon added {withPolygon - before} pixels");
        await page.ClickAsync("#undo");
        Assert.Equal(before, await page.EvaluateAsync<long>(AreaOfSecond));
        Assert.Empty(errors);
    }

    private static async Task<byte[]> DownloadAsync(IPage page, string button)
    {
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync(button));
        await using var stream = await download.CreateReadStreamAsync();
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>
    /// Horizontal strokes across the object every <paramref name="spacing"/> rows (a person scribbling over it), in image
    /// pixels: each along the row's longest run of object pixels, kept <paramref name="marginPixels"/> inside it so the
    /// brush stays on the object.
    /// </summary>
    private static List<List<(double X, double Y)>> StrokesInside(string maskName, int marginPixels, int spacing = 50)
    {
        using var bitmap = SKBitmap.Decode(Samples.PathOf(maskName));
        var truth = Samples.Truth(maskName);
        int w = bitmap.Width, h = bitmap.Height;
        var strokes = new List<List<(double X, double Y)>>();
        for (int y = spacing / 2; y < h; y += spacing)
        {
            int bestStart = 0, bestLength = 0;
            for (int x = 0; x < w;)
            {
                if (!truth[y * w + x]) { x++; continue; }
                int start = x;
                while (x < w && truth[y * w + x]) x++;
                if (x - start > bestLength) (bestStart, bestLength) = (start, x - start);
            }
            if (bestLength <= 2 * marginPixels) continue;
            strokes.Add([(bestStart + marginPixels, y), (bestStart + bestLength - marginPixels, y)]);
        }
        Assert.NotEmpty(strokes);
        return strokes;
    }
}
