using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SigmaFlow.Platform.Screening;

/// <summary>
/// The screener's JSON: results (stored, pushed to <c>screener</c> and <c>screener.{id}</c>) and alert candidates (put on
/// the <c>alerts</c> queue). camelCase; times of bars in Unix ms, <c>scannedAt</c> ISO 8601 UTC; values that cannot be
/// calculated are <c>null</c>.
/// </summary>
public static class ScreenerMessages
{
    /// <summary>The serializer options of every screener message and stored result.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>
    /// The push message of a result: the result's fields after <c>"type":"screener"</c>:
    /// <c>{"type":"screener","screener":"oversold","name":…,"timeframe":"15m","scannedAt":…,"matched":2,"matches":[{"rank":1,"symbol":…,"time":…,"close":…,"value":…}],"newMatches":[…],…}</c>.
    /// </summary>
    /// <param name="result">The result.</param>
    /// <returns>UTF-8 JSON.</returns>
    public static byte[] Result(ScreenerResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var body = JsonSerializer.SerializeToNode(result, Options)!.AsObject();
        var message = new JsonObject { ["type"] = ScreenerNames.MessageType };
        foreach (var (name, value) in body.ToList())
        {
            body.Remove(name);
            message[name] = value;
        }

        return JsonSerializer.SerializeToUtf8Bytes(message, Options);
    }

    /// <summary>
    /// The alert candidate of a new match:
    /// <c>{"type":"screener","id":"screener|oversold|BTCUSD|15m|1767225600000","screener":"oversold","symbol":"BTCUSD","timeframe":"15m","time":1767225600000,"value":27.4,"rank":1,"close":64210.5,"text":"BTCUSD now matches screener 'Oversold' (…)"}</c>
    /// (<c>value</c> and <c>close</c> are null when unknown).
    /// </summary>
    /// <param name="alert">The alert.</param>
    /// <returns>The JSON text.</returns>
    public static string Alert(ScreenerAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var message = new JsonObject
        {
            ["type"] = ScreenerNames.MessageType,
            ["id"] = alert.Id,
            ["screener"] = alert.Screener,
            ["symbol"] = alert.Symbol,
            ["timeframe"] = alert.Timeframe,
            ["time"] = alert.Time,
            ["value"] = alert.Value,
            ["rank"] = alert.Rank,
            ["close"] = alert.Close,
            ["text"] = alert.Text,
        };
        return message.ToJsonString(Options);
    }

    /// <summary>A result as stored.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The JSON text.</returns>
    public static string Serialize(ScreenerResult result) => JsonSerializer.Serialize(result, Options);

    /// <summary>Reads a stored result.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The result.</returns>
    /// <exception cref="JsonException">The text is not a stored result.</exception>
    public static ScreenerResult Deserialize(string json) => JsonSerializer.Deserialize<ScreenerResult>(json, Options) ?? throw new JsonException("a stored screener result is null");
}
