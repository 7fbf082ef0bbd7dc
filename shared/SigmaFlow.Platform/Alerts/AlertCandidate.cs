using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Alerts;

/// <summary>Which of the two queue shapes a candidate came in.</summary>
public enum AlertCandidateKind
{
    /// <summary>A live strategy signal (<c>"type":"signal"</c>, written by IngestTicks); matched against signal rules.</summary>
    Signal,

    /// <summary>A condition found true elsewhere (<c>"type":"alert"</c>, written by scans and bar-close checks); names its rule.</summary>
    Alert,
}

/// <summary>
/// Something that may become alerts, as read from the <c>alerts</c> queue (see <see cref="AlertCandidateReader"/> for the
/// two JSON shapes). The ids are stable: the same candidate read twice (a redelivered message, a scan that runs again)
/// has the same <see cref="Id"/>, and each rule it fires gives the same alert id (<see cref="AlertIdFor"/>).
/// </summary>
public sealed record AlertCandidate
{
    /// <summary>Longest candidate text.</summary>
    public const int MaxTextLength = 1000;

    /// <summary>Most values.</summary>
    public const int MaxValues = 20;

    /// <summary>The shape it came in.</summary>
    public AlertCandidateKind Kind { get; init; }

    /// <summary>The signal's id (<c>BTCUSD|ema-cross|1m|LongEntry|1767225600000</c>), or the alert's id (<c>{ruleId}|{symbol}|{time}</c>).</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>The rule an <see cref="AlertCandidateKind.Alert"/> names; null for signals.</summary>
    public string? RuleId { get; init; }

    /// <summary>The symbol.</summary>
    public string Symbol { get; init; } = string.Empty;

    /// <summary>When it happened (Unix ms UTC): the start of the bar a signal fired on, or the time a condition held.</summary>
    public long Time { get; init; }

    /// <summary>A line describing it, or null (signals have none; messages then describe the signal).</summary>
    public string? Text { get; init; }

    /// <summary>Named values to show (<c>close</c>, <c>level</c>, <c>rsi(14)</c>, …), in order; null where not calculable.</summary>
    public IReadOnlyList<KeyValuePair<string, double?>> Values { get; init; } = [];

    /// <summary>The signal's strategy.</summary>
    public string? Strategy { get; init; }

    /// <summary>The signal's timeframe (<c>1m</c>).</summary>
    public string? Timeframe { get; init; }

    /// <summary>Which rule of the strategy fired.</summary>
    public SignalKind? SignalKind { get; init; }

    /// <summary>The price: a signal's bar close, or an alert's <c>close</c> (or <c>price</c>) value.</summary>
    public double? Price { get; init; }

    /// <summary>The time as a UTC date.</summary>
    public DateTimeOffset Timestamp => DateTimeOffset.FromUnixTimeMilliseconds(Time);

    /// <summary>The id of the alert one rule makes of this candidate: <c>{ruleId}|{signal id}</c> for signals, the candidate's id for alerts (which name their rule).</summary>
    /// <param name="ruleId">The rule.</param>
    /// <returns>The alert id.</returns>
    public string AlertIdFor(string ruleId) => Kind == AlertCandidateKind.Signal ? $"{ruleId}|{Id}" : Id;

    /// <summary>The id of an alert candidate: <c>{ruleId}|{symbol}|{time ms}</c>.</summary>
    /// <param name="ruleId">The rule.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="time">Unix ms.</param>
    /// <returns>The id.</returns>
    public static string AlertId(string ruleId, string symbol, long time) => string.Create(CultureInfo.InvariantCulture, $"{ruleId}|{symbol}|{time}");

    /// <summary>A candidate for a condition found true elsewhere (a scan, a bar-close check).</summary>
    /// <param name="ruleId">The rule whose condition held.</param>
    /// <param name="symbol">The symbol.</param>
    /// <param name="time">When (Unix ms; the bar's start for bar conditions).</param>
    /// <param name="values">Values to show, or null.</param>
    /// <param name="text">A line describing it, or null.</param>
    /// <returns>The candidate.</returns>
    public static AlertCandidate ForRule(string ruleId, string symbol, long time, IEnumerable<KeyValuePair<string, double?>>? values = null, string? text = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(ruleId);
        ArgumentException.ThrowIfNullOrEmpty(symbol);
        var list = values?.ToList() ?? [];
        return new AlertCandidate
        {
            Kind = AlertCandidateKind.Alert,
            Id = AlertId(ruleId, symbol, time),
            RuleId = ruleId,
            Symbol = symbol,
            Time = time,
            Text = text,
            Values = list,
            Price = PriceOf(list),
        };
    }

    /// <summary>A candidate for a live signal.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns>The candidate.</returns>
    public static AlertCandidate ForSignal(in SignalEvent signal) => new()
    {
        Kind = AlertCandidateKind.Signal,
        Id = signal.Id,
        Symbol = signal.Symbol,
        Time = signal.Time,
        Strategy = signal.Strategy,
        Timeframe = signal.Timeframe.ToString(),
        SignalKind = signal.Kind,
        Price = double.IsFinite(signal.Price) ? signal.Price : null,
    };

    /// <summary>
    /// The queue message of an <see cref="AlertCandidateKind.Alert"/> candidate:
    /// <c>{"type":"alert","ruleId":"…","symbol":"…","time":…,"values":{…},"text":"…"}</c>. (Signals are written by
    /// <see cref="Live.LiveMessages.Signal"/>.)
    /// </summary>
    /// <returns>The JSON text.</returns>
    /// <exception cref="InvalidOperationException">The candidate is a signal.</exception>
    public string ToQueueMessage()
    {
        if (Kind != AlertCandidateKind.Alert)
        {
            throw new InvalidOperationException("signal candidates are written by LiveMessages.Signal; ToQueueMessage writes alert candidates only.");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("type", "alert");
            json.WriteString("ruleId", RuleId);
            json.WriteString("symbol", Symbol);
            json.WriteNumber("time", Time);
            if (Values.Count > 0)
            {
                json.WriteStartObject("values");
                foreach (var (name, value) in Values)
                {
                    if (value is { } v && double.IsFinite(v))
                    {
                        json.WriteNumber(name, v);
                    }
                    else
                    {
                        json.WriteNull(name);
                    }
                }

                json.WriteEndObject();
            }

            if (Text is not null)
            {
                json.WriteString("text", Text);
            }

            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static double? PriceOf(IReadOnlyList<KeyValuePair<string, double?>> values)
    {
        foreach (var name in (string[])["close", "price"])
        {
            foreach (var (key, value) in values)
            {
                if (key.Equals(name, StringComparison.OrdinalIgnoreCase) && value is { } v && double.IsFinite(v))
                {
                    return v;
                }
            }
        }

        return null;
    }
}
