using System.Text.Json.Serialization;
using Exemplar.Runtime;

namespace Exemplar.Web;

/// <summary>A stored prompt.</summary>
/// <param name="Id">Pass it as the <c>prompt</c> field of <c>POST /api/segment</c>.</param>
/// <param name="Classes">Class names (label i + 1 is class i).</param>
/// <param name="Examples">How many examples it pools.</param>
/// <param name="Expires">When it is dropped if not used before.</param>
public sealed record PromptCreated(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("classes")] IReadOnlyList<string> Classes,
    [property: JsonPropertyName("examples")] int Examples,
    [property: JsonPropertyName("expires")] DateTimeOffset Expires);

/// <summary>One connected object found.</summary>
/// <param name="Class">Class name.</param>
/// <param name="Score">Mean probability over the object.</param>
/// <param name="Box">Bounding box.</param>
/// <param name="Area">Pixels.</param>
public sealed record ObjectFound(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("score")] float Score,
    [property: JsonPropertyName("box")] Box Box,
    [property: JsonPropertyName("area")] int Area);

/// <summary>What <c>POST /api/segment</c> answers when asked for <c>application/json</c>.</summary>
/// <param name="Width">Image width (the upright image).</param>
/// <param name="Height">Image height.</param>
/// <param name="Classes">Class names.</param>
/// <param name="Areas">Pixels of each class.</param>
/// <param name="Objects">Connected objects, largest first.</param>
/// <param name="Coco">The objects as COCO result annotations (image id 1, ids from 1).</param>
/// <param name="Mask">With <c>?include=mask</c>: the label map (0 background, i class i) as a base64 PNG.</param>
public sealed record SegmentResponse(
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height,
    [property: JsonPropertyName("classes")] IReadOnlyList<string> Classes,
    [property: JsonPropertyName("areas")] IReadOnlyList<int> Areas,
    [property: JsonPropertyName("objects")] IReadOnlyList<ObjectFound> Objects,
    [property: JsonPropertyName("coco")] IReadOnlyList<CocoAnnotation> Coco,
    [property: JsonPropertyName("mask"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Mask);

/// <summary>What <c>GET /api/health</c> answers.</summary>
/// <param name="Status">"ok".</param>
/// <param name="Model">The bundle's name.</param>
/// <param name="InputSize">The model's input size.</param>
/// <param name="Prompts">Prompts held.</param>
/// <param name="Busy">Requests running or queued.</param>
public sealed record HealthResponse(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("input_size")] int InputSize,
    [property: JsonPropertyName("prompts")] int Prompts,
    [property: JsonPropertyName("busy")] int Busy);
