using Exemplar.Runtime;

namespace Exemplar.Web;

/// <summary>The HTTP API: prompts, segmentation, health.</summary>
internal static class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("api");
        api.MapGet("/health", Health).WithSummary("Whether the server is up, and its model.");
        api.MapPost("/prompts", CreatePrompt)
            .WithSummary("Encodes examples into a stored prompt.")
            .WithDescription("multipart/form-data: repeatable `example` image files, each with a `mask` file in the same order, and `class` names " +
                "(none or one: masks are binary, any non-black pixel; several: masks hold class ids in their red channel). Or one `prompt` " +
                "file saved by `GET /api/prompts/{id}`. Answers the prompt's id, used by `POST /api/segment` until it expires.")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces<PromptCreated>()
            .ProducesProblem(400).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(429);
        api.MapGet("/prompts/{id}", DownloadPrompt)
            .WithSummary("Downloads a stored prompt as a file (reload it with POST /api/prompts, field `prompt`).")
            .Produces(200, contentType: "application/octet-stream").ProducesProblem(404);
        api.MapPost("/segment", Segment)
            .WithSummary("Segments a target image with a stored prompt or with examples given directly.")
            .WithDescription("multipart/form-data: a `target` image file and either a `prompt` id or `example` + `mask` files (and `class` names) as for " +
                "`POST /api/prompts`; optional `threshold` (0-1). Answers the mask as image/png (0/255 for one class, class ids for several), or, " +
                "with `Accept: application/json`, the objects with boxes and scores and COCO annotations (`?include=mask` adds the label map as a base64 PNG).")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces(200, contentType: "image/png")
            .Produces<SegmentResponse>(200, "application/json")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422).ProducesProblem(429).ProducesProblem(503);
    }

    private static HealthResponse Health(ModelService model, PromptStore prompts, WorkQueue queue) =>
        new("ok", model.Model.Info.Name, model.Model.Info.InputSize, prompts.Count, queue.Admitted);

    private static async Task<IResult> CreatePrompt(HttpContext context, ModelService model, PromptStore prompts, WorkQueue queue, ExemplarWebOptions options)
    {
        using var deadline = Deadline(context, options);
        // The upload is read under the client's own cancellation; Kestrel's minimum data rate bounds a slow one, and the deadline starts counting for the model.
        var form = await UploadForm.ReadAsync(context.Request, options, context.RequestAborted);
        var prompt = form.Files("prompt") is [var file] ? await LoadPromptFileAsync(form, file, model, deadline.Token)
            : await EncodeAsync(form, model, queue, deadline, options);
        string id = prompts.Add(prompt);
        return Results.Ok(new PromptCreated(id, prompt.Classes, prompt.ExampleCount, prompts.ExpiresFromNow));
    }

    private static async Task<IResult> DownloadPrompt(string id, PromptStore prompts)
    {
        using var lease = prompts.Acquire(id) ?? throw UnknownPrompt(id);
        // The runtime writes prompts to files only: a private temporary file, removed at once.
        string path = Path.Combine(Path.GetTempPath(), $"exemplar-web-{Guid.NewGuid():N}.prompt");
        try
        {
            lease.Prompt.Save(path);
            return Results.File(await File.ReadAllBytesAsync(path), "application/octet-stream", $"{string.Join('-', lease.Prompt.Classes)}.prompt");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static async Task<IResult> Segment(HttpContext context, ModelService model, PromptStore prompts, WorkQueue queue, ExemplarWebOptions options)
    {
        using var deadline = Deadline(context, options);
        // The upload is read under the client's own cancellation; Kestrel's minimum data rate bounds a slow one, and the deadline starts counting for the model.
        var form = await UploadForm.ReadAsync(context.Request, options, context.RequestAborted);
        var targets = form.Files("target");
        if (targets.Count != 1) throw WebProblemException.BadRequest(targets.Count == 0 ? "no 'target' file: give the image to segment" : $"{targets.Count} 'target' files: give one per request");
        float? threshold = null;
        if (form.Values("threshold") is [var t])
        {
            threshold = float.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out float v) && v > 0 && v < 1 ? v
                : throw WebProblemException.BadRequest($"threshold '{t}': give a number between 0 and 1");
        }
        var target = await form.ImageAsync(targets[0], deadline.Token);

        PromptLease? lease = null;
        Prompt? owned = null;
        void Release()
        {
            lease?.Dispose();
            owned?.Dispose();
        }
        try
        {
            if (form.Values("prompt") is [var id])
            {
                if (form.Files("example").Count > 0) throw WebProblemException.BadRequest("give a 'prompt' id or 'example' files, not both");
                lease = prompts.Acquire(id) ?? throw UnknownPrompt(id);
            }
            else
            {
                owned = await EncodeAsync(form, model, queue, deadline, options);
            }
        }
        catch
        {
            Release();
            throw;
        }
        var prompt = lease?.Prompt ?? owned!;
        // The queue releases the prompt after the run: a request that gives up (timeout, client gone) must not free it under the model.
        var result = await RunAsync(() => model.Model.Segment(prompt, target.ToInput(), new SegmentOptions { Threshold = threshold }), queue, deadline, options, Release);
        if (!WantsJson(context.Request)) return Results.File(MaskPng.Encode(result, binary: true), "image/png");
        bool includeMask = context.Request.Query["include"].Any(v => v == "mask");
        var objects = result.Objects.Select(o => new ObjectFound(o.Class, o.Score, o.Box, o.Area)).ToList();
        return Results.Json(new SegmentResponse(result.Width, result.Height, result.Classes, result.Areas, objects, result.ToCoco(1),
            includeMask ? Convert.ToBase64String(MaskPng.Encode(result, binary: false)) : null));
    }

    private static bool WantsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase));

    private static async Task<Prompt> EncodeAsync(UploadForm form, ModelService model, WorkQueue queue, RequestDeadline deadline, ExemplarWebOptions options)
    {
        var examples = await ExampleBuilder.ReadAsync(form, deadline.Token);
        return await RunAsync(() => model.Model.Encode(examples), queue, deadline, options);
    }

    private static async Task<Prompt> LoadPromptFileAsync(UploadForm form, IFormFile file, ModelService model, CancellationToken cancellationToken)
    {
        var bytes = await form.ReadAsync(file, cancellationToken);
        if (!bytes.AsSpan().StartsWith("EXPROMPT"u8)) throw WebProblemException.UnsupportedMedia($"prompt '{UploadForm.SafeName(file)}': not a prompt file (judged from its bytes)");
        string path = Path.Combine(Path.GetTempPath(), $"exemplar-web-{Guid.NewGuid():N}.prompt");
        try
        {
            await File.WriteAllBytesAsync(path, bytes, cancellationToken);
            Prompt prompt;
            try
            {
                prompt = Prompt.Load(path);
            }
            catch (InvalidDataException e)
            {
                throw WebProblemException.BadRequest($"prompt '{UploadForm.SafeName(file)}': {e.Message.Replace(path, "the file", StringComparison.Ordinal)}");
            }
            if (prompt.Fingerprint != model.Model.Info.Fingerprint)
            {
                prompt.Dispose();
                throw WebProblemException.Unprocessable($"prompt '{UploadForm.SafeName(file)}' was encoded by another model than this server's {model.Model.Info.Name}");
            }
            return prompt;
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Runs model work in the queue; the runtime's refusals of the input become 422s, the deadline a 503.</summary>
    private static async Task<T> RunAsync<T>(Func<T> work, WorkQueue queue, RequestDeadline deadline, ExemplarWebOptions options, Action? cleanup = null)
    {
        try
        {
            return await queue.RunAsync(work, deadline.Token, cleanup);
        }
        catch (ArgumentException e)
        {
            throw WebProblemException.Unprocessable(e.Message);
        }
        catch (InvalidDataException e)
        {
            throw WebProblemException.BadRequest(e.Message);
        }
        catch (OperationCanceledException) when (deadline.TimedOut)
        {
            throw new WebProblemException(StatusCodes.Status503ServiceUnavailable, "Timed out", $"the request took more than {options.RequestTimeout.TotalSeconds:F0} s") { RetryAfterSeconds = 5 };
        }
    }

    private static WebProblemException UnknownPrompt(string id) =>
        new(StatusCodes.Status404NotFound, "Unknown prompt", $"no prompt '{(id.Length > 40 ? id[..40] + "…" : id)}' (never made, or expired): post the examples to /api/prompts again");

    private static RequestDeadline Deadline(HttpContext context, ExemplarWebOptions options) => new(context, options.RequestTimeout);
}
