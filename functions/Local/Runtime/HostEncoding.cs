using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// How the Functions host encodes values in a custom handler's envelope (<c>ScriptInvocationContextExtensions.
/// GetHttpScriptInvocationContextValue</c>): objects go as JSON objects (<c>JObject.FromObject</c>); everything else —
/// strings, numbers, dates, arrays — as the text <c>JsonConvert.SerializeObject</c> makes of it, inside a JSON string.
/// So a string arrives as <c>"\"hello\""</c>, a number as <c>"4"</c>, an array as <c>"[...]"</c>. Dates follow
/// Json.NET's ISO format: a <see cref="DateTime"/> of unspecified kind without a zone, a UTC one with <c>Z</c>, a
/// <see cref="DateTimeOffset"/> with its offset; fractions of a second to seven digits with trailing zeros dropped.
/// </summary>
internal static class HostEncoding
{
    /// <summary>Json.NET's escaping: quotes, backslashes and control characters only.</summary>
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>A value the host passes through <c>JsonConvert.SerializeObject</c>: its JSON text, as a JSON string.</summary>
    /// <param name="json">The JSON text of the value.</param>
    /// <returns>The string node.</returns>
    public static JsonNode Serialized(JsonNode? json) => JsonValue.Create(json is null ? "null" : json.ToJsonString(Options));

    /// <summary>A string value as the host sends it: <c>"\"text\""</c>.</summary>
    /// <param name="text">The text (null for <c>null</c>).</param>
    /// <returns>The string node.</returns>
    public static JsonNode SerializedString(string? text) => Serialized(text is null ? null : JsonValue.Create(text));

    /// <summary>An integer as the host sends it: <c>"4"</c>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The string node.</returns>
    public static JsonNode SerializedNumber(long value) => JsonValue.Create(value.ToString(CultureInfo.InvariantCulture));

    /// <summary>Json.NET's text of a <see cref="DateTime"/> of unspecified kind (what <c>DateTimeOffset.DateTime</c> gives): no zone.</summary>
    /// <param name="time">The time (its UTC clock reading is used).</param>
    /// <returns>E.g. <c>2026-01-01T00:00:01.123</c>.</returns>
    public static string Unspecified(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);

    /// <summary>Json.NET's text of a UTC <see cref="DateTime"/>.</summary>
    /// <param name="time">The time.</param>
    /// <returns>E.g. <c>2026-01-01T00:00:01.123Z</c>.</returns>
    public static string Utc(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Json.NET's text of a <see cref="DateTimeOffset"/> (or of a local <see cref="DateTime"/> on a UTC machine).</summary>
    /// <param name="time">The time.</param>
    /// <returns>E.g. <c>2026-01-01T00:00:01+00:00</c>.</returns>
    public static string WithOffset(DateTimeOffset time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    /// <summary>The envelope body: <c>{"Data":{…},"Metadata":{…}}</c>.</summary>
    /// <param name="data">Trigger and input values.</param>
    /// <param name="metadata">Trigger metadata.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Envelope(JsonObject data, JsonObject metadata) =>
        JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["Data"] = data, ["Metadata"] = metadata }, Options);

    /// <summary>What <c>JObject.FromObject(exception)</c> makes of the exception a failed custom-handler call raises in the host.</summary>
    /// <param name="statusCode">The handler's status code (0 when it could not be reached).</param>
    /// <param name="reason">Why, when it could not be reached.</param>
    /// <returns>The serialised exception.</returns>
    public static JsonObject FailureException(int statusCode, string? reason) => new()
    {
        ["ClassName"] = "System.Net.Http.HttpRequestException",
        ["Message"] = statusCode > 0
            ? string.Create(CultureInfo.InvariantCulture, $"Response status code does not indicate success: {statusCode} ({ReasonPhrase(statusCode)}).")
            : reason ?? "The custom handler could not be reached.",
        ["Data"] = null,
        ["InnerException"] = null,
        ["HelpURL"] = null,
        ["StackTraceString"] = null,
        ["RemoteStackTraceString"] = null,
        ["RemoteStackIndex"] = 0,
        ["ExceptionMethod"] = null,
        ["HResult"] = -2146233088,
        ["Source"] = "System.Net.Http",
        ["WatsonBuckets"] = null,
    };

    private static string ReasonPhrase(int statusCode) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(statusCode) is { Length: > 0 } phrase ? phrase : "Unknown";
}
