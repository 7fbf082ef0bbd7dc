using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;

namespace SigmaFlow.Functions.Api.Http;

/// <summary>
/// The API's JSON: camelCase names, enums as camelCase strings, nulls left out, and non-finite numbers (NaN in an
/// indicator's warm-up, an undefined ratio) written as <c>null</c> rather than failing the response.
/// </summary>
internal static class ApiJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            AllowTrailingCommas = false,
            ReadCommentHandling = JsonCommentHandling.Disallow,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,

            // Responses are JSON documents, never inlined into HTML: quotes and apostrophes stay readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new FiniteDoubleConverter());
        options.Converters.Add(new NullableFiniteDoubleConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class FiniteDoubleConverter : JsonConverter<double>
    {
        public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
        {
            if (double.IsFinite(value))
            {
                writer.WriteNumberValue(value);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }

    private sealed class NullableFiniteDoubleConverter : JsonConverter<double?>
    {
        public override bool HandleNull => true;

        public override double? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();

        public override void Write(Utf8JsonWriter writer, double? value, JsonSerializerOptions options)
        {
            if (value is { } v && double.IsFinite(v))
            {
                writer.WriteNumberValue(v);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}

/// <summary>
/// A JSON response whose status, body and headers the API's pipeline can see (to store it for idempotent replays and
/// to add the request id), unlike ASP.NET's opaque results.
/// </summary>
internal sealed class ApiResult : IResult
{
    public ApiResult(int status, byte[] body, string contentType = "application/json; charset=utf-8", string? location = null)
    {
        Status = status;
        Body = body;
        ContentType = contentType;
        Location = location;
    }

    public int Status { get; }

    public byte[] Body { get; }

    public string ContentType { get; }

    public string? Location { get; }

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static ApiResult Ok<T>(T value) => new(StatusCodes.Status200OK, ApiJson.Serialize(value));

    public static ApiResult Created<T>(string location, T value) => new(StatusCodes.Status201Created, ApiJson.Serialize(value), location: location);

    public static ApiResult Accepted<T>(string location, T value) => new(StatusCodes.Status202Accepted, ApiJson.Serialize(value), location: location);

    public static ApiResult NoContent() => new(StatusCodes.Status204NoContent, []);

    public ApiResult With(string header, string value)
    {
        Headers[header] = value;
        return this;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = Status;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Location is not null)
        {
            response.Headers.Location = Location;
        }

        if (Status == StatusCodes.Status204NoContent || Body.Length == 0)
        {
            return;
        }

        response.ContentType = ContentType;
        response.ContentLength = Body.Length;
        await response.Body.WriteAsync(Body, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
