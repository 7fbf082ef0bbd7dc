using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using SigmaFlow.Core.Optimization;

namespace SigmaFlow.Platform.Jobs;

/// <summary>
/// A <see cref="SweepResult"/> as bytes and back, exactly: JSON (doubles in round-trip form, NaN and ±∞ as named
/// literals, 128-bit sums and 64-bit keys as integers) compressed with gzip. Decoding gives a result whose every number
/// has the same bits, so merging decoded shard results gives what merging the originals would.
/// </summary>
internal static class SweepResultCodec
{
    /// <summary>Format version, checked on decoding.</summary>
    public const int Version = 1;

    private static readonly JsonSerializerOptions Json = CreateOptions();

    /// <summary>Encodes a result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>Gzip-compressed JSON.</returns>
    public static byte[] Encode(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var payload = new Payload(
            Version,
            result.SweepHash,
            result.DataHash,
            result.TopLimit,
            result.PboLimit,
            [.. result.Shards.Select(s => new ShardEntry(s.Key.Start, s.Key.End, s.Value))],
            result.Top,
            result.PboSample,
            result.Failures);
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(zip, payload, Json);
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes what <see cref="Encode"/> wrote.</summary>
    /// <param name="bytes">The bytes.</param>
    /// <returns>The result.</returns>
    /// <exception cref="FormatException">The bytes are not an encoded result of this version.</exception>
    public static SweepResult Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Payload? payload;
        try
        {
            using var input = new MemoryStream(bytes, writable: false);
            using var zip = new GZipStream(input, CompressionMode.Decompress);
            payload = JsonSerializer.Deserialize<Payload>(zip, Json);
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or NotSupportedException)
        {
            throw new FormatException($"a stored sweep result could not be read: {e.Message}", e);
        }

        if (payload is null || payload.Version != Version)
        {
            throw new FormatException($"a stored sweep result has format version {payload?.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}; this build reads version {Version}.");
        }

        return new SweepResult(
            payload.SweepHash,
            payload.DataHash,
            payload.TopLimit,
            payload.PboLimit,
            payload.Shards.ToDictionary(s => new ShardKey(s.Start, s.End), s => s.Totals),
            payload.Top,
            payload.PboSample,
            payload.Failures);
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            RespectRequiredConstructorParameters = true,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed record Payload(
        int Version,
        string SweepHash,
        string DataHash,
        int TopLimit,
        int PboLimit,
        IReadOnlyList<ShardEntry> Shards,
        IReadOnlyList<TrialResult> Top,
        IReadOnlyList<PboEntry> PboSample,
        IReadOnlyList<TrialFailure> Failures);

    private sealed record ShardEntry(long Start, long End, ShardTotals Totals);
}
