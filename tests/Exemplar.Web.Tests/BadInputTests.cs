using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Exemplar.Web.Tests;

/// <summary>Bad input of every kind gives a 4xx RFC 7807 problem document, never a 500.</summary>
public sealed class BadInputTests(WebFactory factory) : IClassFixture<WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_corrupt_image_is_a_400()
    {
        // A JPEG signature, then noise: sniffed as a JPEG, but its header does not parse.
        var bytes = new byte[4096];
        new Random(1).NextBytes(bytes);
        bytes[0] = 0xFF; bytes[1] = 0xD8; bytes[2] = 0xFF;
        using var form = new MultipartFormDataContent().Add("example", bytes, "cat.jpg").AddSample("mask", "cat_00.png");
        await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 400, "example 'cat.jpg'");
    }

    [Fact]
    public async Task A_mask_of_another_size_is_a_422()
    {
        using var form = new MultipartFormDataContent().AddSample("example", "cat_00.jpg").AddSample("mask", "cat_01.png");
        await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 422, "1277x1277");
    }

    [Fact]
    public async Task An_empty_mask_is_a_422()
    {
        using var form = new MultipartFormDataContent().AddSample("example", "cat_00.jpg").Add("mask", Samples.Png(1282, 1282, (_, _) => 0), "empty.png");
        await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 422, "empty");
    }

    [Fact]
    public async Task A_huge_declared_size_is_a_413_before_decoding()
    {
        using var form = new MultipartFormDataContent { { new StringContent("x"), "prompt" } }.Add("target", PngHeader(100_000, 100_000), "bomb.png");
        await AssertProblemAsync(await _client.PostAsync("/api/segment", form), 413, "100000x100000");
    }

    [Fact]
    public async Task A_file_that_is_no_image_is_a_415_whatever_its_name()
    {
        using var form = new MultipartFormDataContent().Add("example", Encoding.UTF8.GetBytes("<html>not a photo</html>"), "photo.jpg").AddSample("mask", "cat_00.png");
        await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 415, "judged from its bytes");
    }

    [Fact]
    public async Task A_body_that_is_not_multipart_is_a_415()
    {
        // Refused by routing (the endpoints accept multipart/form-data only), still as a problem document.
        await AssertProblemAsync(await _client.PostAsync("/api/segment", JsonContent.Create(new { target = "/etc/passwd" })), 415, null);
    }

    [Fact]
    public async Task An_unknown_prompt_id_is_a_404()
    {
        using var form = new MultipartFormDataContent { { new StringContent("0123456789abcdef"), "prompt" } }.AddSample("target", "cat_01.jpg");
        await AssertProblemAsync(await _client.PostAsync("/api/segment", form), 404, "0123456789abcdef");
        await AssertProblemAsync(await _client.GetAsync("/api/prompts/nope"), 404, "nope");
    }

    [Fact]
    public async Task Missing_fields_are_400s()
    {
        using (var noTarget = Samples.Example("cat_00")) await AssertProblemAsync(await _client.PostAsync("/api/segment", noTarget), 400, "'target'");
        using (var noExample = new MultipartFormDataContent().AddSample("target", "cat_01.jpg")) await AssertProblemAsync(await _client.PostAsync("/api/segment", noExample), 400, "'example'");
        using (var noMask = new MultipartFormDataContent().AddSample("example", "cat_00.jpg")) await AssertProblemAsync(await _client.PostAsync("/api/prompts", noMask), 400, "'mask'");
        using var badThreshold = Samples.Example("cat_00").AddSample("target", "cat_01.jpg");
        badThreshold.Add(new StringContent("2"), "threshold");
        await AssertProblemAsync(await _client.PostAsync("/api/segment", badThreshold), 400, "threshold");
    }

    [Fact]
    public async Task A_damaged_prompt_file_is_a_400()
    {
        string id = await ApiTests.CreatePromptAsync(_client, Samples.Example("cat_00"));
        var file = await _client.GetByteArrayAsync($"/api/prompts/{id}");
        file[^10] ^= 0x55;
        using var form = new MultipartFormDataContent().Add("prompt", file, "cat.prompt");
        var body = await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 400, "checksum");
        Assert.DoesNotContain(Path.GetTempPath(), body);
    }

    [Fact]
    public async Task A_class_id_beyond_the_named_classes_is_a_422()
    {
        using var form = new MultipartFormDataContent { { new StringContent("a"), "class" }, { new StringContent("b"), "class" } }
            .AddSample("example", "cat_00.jpg").Add("mask", Samples.Png(1282, 1282, (x, _) => x < 100 ? (byte)7 : (byte)1), "ids.png");
        await AssertProblemAsync(await _client.PostAsync("/api/prompts", form), 422, "class id 7");
    }

    [Fact]
    public async Task An_unknown_route_is_a_problem_document_too()
    {
        await AssertProblemAsync(await _client.GetAsync("/api/nothing-here"), 404, null);
    }

    /// <summary>Asserts the status and a problem document whose detail contains <paramref name="detail"/>; returns the body.</summary>
    internal static async Task<string> AssertProblemAsync(HttpResponseMessage response, int status, string? detail)
    {
        using (response)
        {
            string body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"{(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(body).RootElement;
            Assert.Equal(status, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
            if (detail is not null) Assert.Contains(detail, problem.GetProperty("detail").GetString());
            return body;
        }
    }

    /// <summary>A PNG declaring <paramref name="width"/>x<paramref name="height"/> with (almost) no pixel data: a decompression bomb's header.</summary>
    internal static byte[] PngHeader(int width, int height)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8;                                                   // bit depth 8, colour type 2 (RGB)
        header[9] = 2;
        var png = new List<byte> { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);
        Chunk(png, "IEND", []);
        return [.. png];
    }

    private static void Chunk(List<byte> png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.AddRange(length);
        var body = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.AddRange(body);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(body));
        png.AddRange(crc);
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
