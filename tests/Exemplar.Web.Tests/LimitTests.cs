using System.Net;
using System.Net.Http.Headers;

namespace Exemplar.Web.Tests;

/// <summary>The limits: the work queue (429 with Retry-After), the API key, the per-file size, the timeout, prompt expiry.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task Requests_beyond_the_queue_are_429s_with_retry_after()
    {
        await using var factory = WebFactory.With(new Exemplar.Web.ExemplarWebOptions { Threads = 1, Concurrency = 1, QueueLength = 0 });
        var client = factory.CreateClient();
        var target = Samples.Bytes("cat_01.jpg");
        string id = await ApiTests.CreatePromptAsync(client, Samples.Example("cat_00"));
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            client.PostAsync("/api/segment", new MultipartFormDataContent { { new StringContent(id), "prompt" } }.Add("target", target, "t.jpg"))));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, r.StatusCode.ToString()));
        Assert.NotNull(refused[0].Headers.RetryAfter);
        await BadInputTests.AssertProblemAsync(refused[0], 429, "busy");
    }

    [Fact]
    public async Task With_an_api_key_requests_without_it_are_401s()
    {
        await using var factory = WebFactory.With(new Exemplar.Web.ExemplarWebOptions { Threads = 1, ApiKey = "s3cret" });
        var client = factory.CreateClient();
        await BadInputTests.AssertProblemAsync(await client.GetAsync("/api/health"), 401, "X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", "s3cret");
        using var ok = await client.GetAsync("/api/health");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Cors_opens_only_to_the_origins_named()
    {
        await using var factory = WebFactory.With(new Exemplar.Web.ExemplarWebOptions { Threads = 1, CorsOrigins = ["https://lab.example"] });
        var client = factory.CreateClient();
        foreach (var (origin, allowed) in new[] { ("https://lab.example", true), ("https://elsewhere.example", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
            request.Headers.Add("Origin", origin);
            using var response = await client.SendAsync(request);
            Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == origin);
        }
    }

    [Fact]
    public async Task A_file_over_the_per_file_limit_is_a_413()
    {
        await using var factory = WebFactory.With(new Exemplar.Web.ExemplarWebOptions { Threads = 1, MaxFileBytes = 100_000 });
        using var form = Samples.Example("cat_00");
        await BadInputTests.AssertProblemAsync(await factory.CreateClient().PostAsync("/api/prompts", form), 413, "per file");
    }

    [Fact]
    public async Task A_request_over_its_time_is_a_503_with_retry_after()
    {
        // The deadline counts from the upload's end: a millisecond is over before the request reaches the model.
        await using var factory = WebFactory.With(new Exemplar.Web.ExemplarWebOptions { Threads = 1, RequestTimeout = TimeSpan.FromMilliseconds(1) });
        using var form = Samples.Example("cat_00").AddSample("target", "cat_01.jpg");
        using var response = await factory.CreateClient().PostAsync("/api/segment", form);
        Assert.NotNull(response.Headers.RetryAfter);
        await BadInputTests.AssertProblemAsync(response, 503, "took");
    }

    [Fact]
    public void The_prompt_store_is_bounded_and_expires()
    {
        var time = new ManualTime();
        using var store = new Exemplar.Web.PromptStore(new Exemplar.Web.ExemplarWebOptions { MaxPrompts = 2, PromptLifetime = TimeSpan.FromMinutes(1) }, time);
        using var model = Exemplar.Runtime.ExemplarModel.Load(null, new Exemplar.Runtime.RuntimeOptions { Threads = 1 });
        Exemplar.Runtime.Prompt Encode() => model.Encode([new Exemplar.Runtime.Example(Samples.PathOf("duck_toy_00.jpg"), Samples.PathOf("duck_toy_00.png"))]);
        string a = store.Add(Encode());
        time.Advance(TimeSpan.FromSeconds(1));
        string b = store.Add(Encode());
        time.Advance(TimeSpan.FromSeconds(1));
        using (var lease = store.Acquire(a)) Assert.NotNull(lease);       // a is now the most recently used
        string c = store.Add(Encode());
        Assert.Null(store.Acquire(b));                                     // b made room
        Assert.Equal(2, store.Count);
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.Null(store.Acquire(a));
        Assert.Null(store.Acquire(c));
        Assert.Equal(0, store.Count);
    }

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
