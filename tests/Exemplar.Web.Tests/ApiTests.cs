using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Exemplar.Web.Tests;

/// <summary>Every endpoint, on the PerSeg samples, through WebApplicationFactory's test server.</summary>
public sealed class ApiTests(WebFactory factory) : IClassFixture<WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Health_names_the_model()
    {
        var health = await _client.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(health.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task Prompt_then_segment_returns_a_mask_png_that_finds_the_cat()
    {
        string id = await CreatePromptAsync(_client, Samples.Example("cat_00"));
        using var form = new MultipartFormDataContent { { new StringContent(id), "prompt" } }.AddSample("target", "cat_01.jpg");
        using var response = await _client.PostAsync("/api/segment", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var mask = await response.Content.ReadAsByteArrayAsync();
        double iou = Samples.IoU(Samples.Foreground(mask), Samples.Truth("cat_01.png"));
        Assert.True(iou > 0.75, $"IoU {iou:F3}");
    }

    [Fact]
    public async Task Segment_with_examples_directly_answers_json_with_objects_boxes_scores_and_the_label_map()
    {
        using var form = Samples.Example("duck_toy_00").AddSample("target", "duck_toy_01.jpg");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/segment?include=mask") { Content = form };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1440, json.GetProperty("width").GetInt32());
        var largest = json.GetProperty("objects")[0];
        Assert.Equal("object", largest.GetProperty("class").GetString());
        Assert.InRange(largest.GetProperty("score").GetSingle(), 0.5f, 1f);
        Assert.True(largest.GetProperty("box").GetProperty("width").GetInt32() > 100);
        Assert.Equal(1, json.GetProperty("coco")[0].GetProperty("category_id").GetInt32());
        var labels = Samples.Foreground(Convert.FromBase64String(json.GetProperty("mask").GetString()!));
        Assert.True(Samples.IoU(labels, Samples.Truth("duck_toy_01.png")) > 0.75);
    }

    [Fact]
    public async Task Two_classes_with_id_masks_label_each_object_with_its_class()
    {
        using var form = new MultipartFormDataContent { { new StringContent("cat"), "class" }, { new StringContent("duck"), "class" } };
        form.AddSample("example", "cat_00.jpg").Add("mask", IdMask("cat_00.png", 1), "cat_00_ids.png");
        form.AddSample("example", "duck_toy_00.jpg").Add("mask", IdMask("duck_toy_00.png", 2), "duck_ids.png");
        string id = await CreatePromptAsync(_client, form);
        using var segment = new MultipartFormDataContent { { new StringContent(id), "prompt" } }.AddSample("target", "duck_toy_02.jpg");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/segment") { Content = segment };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await _client.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["cat", "duck"], json.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("duck", json.GetProperty("objects")[0].GetProperty("class").GetString());
    }

    [Fact]
    public async Task A_prompt_downloads_as_a_file_and_reloads()
    {
        string id = await CreatePromptAsync(_client, Samples.Example("cat_00"));
        var file = await _client.GetByteArrayAsync($"/api/prompts/{id}");
        Assert.Equal("EXPROMPT"u8.ToArray(), file[..8]);
        string reloaded = await CreatePromptAsync(_client, new MultipartFormDataContent().Add("prompt", file, "cat.prompt"));
        Assert.NotEqual(id, reloaded);
        using var form = new MultipartFormDataContent { { new StringContent(reloaded), "prompt" } }.AddSample("target", "cat_02.jpg");
        using var response = await _client.PostAsync("/api/segment", form);
        Assert.True(Samples.IoU(Samples.Foreground(await response.Content.ReadAsByteArrayAsync()), Samples.Truth("cat_02.png")) > 0.75);
    }

    [Fact]
    public async Task The_openapi_document_scalar_page_and_demo_page_are_served()
    {
        var document = await _client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/prompts", "/api/segment", "/api/health", "/api/prompts/{id}" }) Assert.True(paths.TryGetProperty(path, out _), path);
        using var scalar = await _client.GetAsync("/scalar");
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Equal("text/html", scalar.Content.Headers.ContentType?.MediaType);
        using var page = await _client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Exemplar", await page.Content.ReadAsStringAsync());
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single());
        using var script = await _client.GetAsync("/app.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("Origin", "https://elsewhere.example");
        using var response = await _client.SendAsync(request);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task The_server_runs_without_libtorch()
    {
        using var response = await _client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name is "Exemplar.Torch" or "Exemplar.Vision" or "Exemplar.Models");
        Assert.DoesNotContain("libexemplar_native", File.ReadAllText("/proc/self/maps"));
    }

    internal static async Task<string> CreatePromptAsync(HttpClient client, MultipartFormDataContent form)
    {
        using var response = await client.PostAsync("/api/prompts", form);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>A binary sample mask rewritten as class ids (the page's format for several classes).</summary>
    private static byte[] IdMask(string name, byte id)
    {
        var truth = Samples.Truth(name);
        using var bitmap = SkiaSharp.SKBitmap.Decode(Samples.PathOf(name));
        return Samples.Png(bitmap.Width, bitmap.Height, (x, y) => truth[y * bitmap.Width + x] ? id : (byte)0);
    }
}
