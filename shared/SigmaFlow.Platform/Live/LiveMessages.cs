using System.Buffers;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// The JSON messages of the live pipeline, one object each with a <c>type</c>: <c>bar</c> (forming or final, final ones
/// with their indicator values), <c>quote</c> and <c>signal</c>. Pushed to Web PubSub groups and, for signals, put on
/// the alerts queue. Times are Unix milliseconds UTC; values not yet calculable are <c>null</c>.
/// </summary>
public static class LiveMessages
{
    private static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
    private static readonly JsonEncodedText BarType = JsonEncodedText.Encode("bar");
    private static readonly JsonEncodedText QuoteType = JsonEncodedText.Encode("quote");
    private static readonly JsonEncodedText SignalType = JsonEncodedText.Encode("signal");
    private static readonly JsonEncodedText SymbolName = JsonEncodedText.Encode("symbol");
    private static readonly JsonEncodedText TimeframeName = JsonEncodedText.Encode("timeframe");
    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText OpenName = JsonEncodedText.Encode("open");
    private static readonly JsonEncodedText HighName = JsonEncodedText.Encode("high");
    private static readonly JsonEncodedText LowName = JsonEncodedText.Encode("low");
    private static readonly JsonEncodedText CloseName = JsonEncodedText.Encode("close");
    private static readonly JsonEncodedText VolumeName = JsonEncodedText.Encode("volume");
    private static readonly JsonEncodedText FinalName = JsonEncodedText.Encode("final");
    private static readonly JsonEncodedText IndicatorsName = JsonEncodedText.Encode("indicators");
    private static readonly JsonEncodedText PriceName = JsonEncodedText.Encode("price");
    private static readonly JsonEncodedText SizeName = JsonEncodedText.Encode("size");
    private static readonly JsonEncodedText BidName = JsonEncodedText.Encode("bid");
    private static readonly JsonEncodedText AskName = JsonEncodedText.Encode("ask");
    private static readonly JsonEncodedText SeqName = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText StrategyName = JsonEncodedText.Encode("strategy");
    private static readonly JsonEncodedText KindName = JsonEncodedText.Encode("kind");

    /// <summary>
    /// Writes a bar message:
    /// <c>{"type":"bar","symbol":"BTCUSD","timeframe":"1m","time":…,"open":…,"high":…,"low":…,"close":…,"volume":…,"final":true,"indicators":{"sma(20).sma":…,…}}</c>
    /// (<c>indicators</c> only on final bars).
    /// </summary>
    /// <param name="json">The writer.</param>
    /// <param name="update">The bar.</param>
    /// <param name="timeframe">The timeframe's text (<c>1m</c>).</param>
    /// <param name="indicators">Indicator values of a final bar, or null.</param>
    /// <param name="fields">Names of <paramref name="indicators"/>' values.</param>
    public static void WriteBar(Utf8JsonWriter json, in BarUpdate update, string timeframe, double[]? indicators, IReadOnlyList<string>? fields)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString(Type, BarType);
        json.WriteString(SymbolName, update.Symbol);
        json.WriteString(TimeframeName, timeframe);
        json.WriteNumber(TimeName, update.Bar.Time);
        Number(json, OpenName, update.Bar.Open);
        Number(json, HighName, update.Bar.High);
        Number(json, LowName, update.Bar.Low);
        Number(json, CloseName, update.Bar.Close);
        Number(json, VolumeName, update.Bar.Volume);
        json.WriteBoolean(FinalName, update.Final);
        if (indicators is not null && fields is not null)
        {
            json.WriteStartObject(IndicatorsName);
            for (var i = 0; i < indicators.Length && i < fields.Count; i++)
            {
                Number(json, fields[i], indicators[i]);
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Writes a quote message: <c>{"type":"quote","symbol":"BTCUSD","time":…,"price":…,"size":…,"bid":…,"ask":…,"seq":…}</c>
    /// (<c>bid</c>, <c>ask</c> and <c>seq</c> are null when the tick had none).
    /// </summary>
    /// <param name="json">The writer.</param>
    /// <param name="tick">The latest accepted tick.</param>
    public static void WriteQuote(Utf8JsonWriter json, in Tick tick)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString(Type, QuoteType);
        json.WriteString(SymbolName, tick.Symbol);
        json.WriteNumber(TimeName, tick.Time);
        Number(json, PriceName, tick.Price);
        Number(json, SizeName, tick.Size);
        Number(json, BidName, tick.Bid);
        Number(json, AskName, tick.Ask);
        if (tick.Sequence >= 0)
        {
            json.WriteNumber(SeqName, tick.Sequence);
        }
        else
        {
            json.WriteNull(SeqName);
        }

        json.WriteEndObject();
    }

    /// <summary>
    /// Writes a signal message:
    /// <c>{"type":"signal","id":"BTCUSD|ema-cross|1m|LongEntry|…","symbol":"BTCUSD","strategy":"ema-cross","timeframe":"1m","kind":"longEntry","time":…,"price":…}</c>
    /// (<c>time</c> is the start of the bar it fired on, <c>price</c> that bar's close).
    /// </summary>
    /// <param name="json">The writer.</param>
    /// <param name="signal">The signal.</param>
    public static void WriteSignal(Utf8JsonWriter json, in SignalEvent signal)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString(Type, SignalType);
        json.WriteString(IdName, signal.Id);
        json.WriteString(SymbolName, signal.Symbol);
        json.WriteString(StrategyName, signal.Strategy);
        json.WriteString(TimeframeName, signal.Timeframe.ToString());
        json.WriteString(KindName, Kind(signal.Kind));
        json.WriteNumber(TimeName, signal.Time);
        Number(json, PriceName, signal.Price);
        json.WriteEndObject();
    }

    /// <summary>A bar message as UTF-8 JSON (see <see cref="WriteBar"/>).</summary>
    /// <param name="update">The bar.</param>
    /// <param name="indicators">Indicator values of a final bar, or null.</param>
    /// <param name="fields">Names of the values.</param>
    /// <returns>The message.</returns>
    public static byte[] Bar(in BarUpdate update, double[]? indicators = null, IReadOnlyList<string>? fields = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteBar(json, update, update.Timeframe.ToString(), indicators, fields);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A quote message as UTF-8 JSON (see <see cref="WriteQuote"/>).</summary>
    /// <param name="tick">The tick.</param>
    /// <returns>The message.</returns>
    public static byte[] Quote(in Tick tick)
    {
        var buffer = new ArrayBufferWriter<byte>(160);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteQuote(json, tick);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A signal message as JSON text (see <see cref="WriteSignal"/>): the alerts queue's message.</summary>
    /// <param name="signal">The signal.</param>
    /// <returns>The message.</returns>
    public static string Signal(in SignalEvent signal)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteSignal(json, signal);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The JSON name of a signal kind: <c>longEntry</c>, <c>longExit</c>, <c>shortEntry</c>, <c>shortExit</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The name.</returns>
    public static string Kind(SignalKind kind) => kind switch
    {
        SignalKind.LongEntry => "longEntry",
        SignalKind.LongExit => "longExit",
        SignalKind.ShortEntry => "shortEntry",
        SignalKind.ShortExit => "shortExit",
        _ => kind.ToString(),
    };

    private static void Number(Utf8JsonWriter json, JsonEncodedText name, double value)
    {
        Span<byte> digits = stackalloc byte[32];
        if (TryFormatDecimal(value, digits, out var written))
        {
            json.WritePropertyName(name);
            json.WriteRawValue(digits[..written], skipInputValidation: true);
        }
        else if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        Span<byte> digits = stackalloc byte[32];
        if (TryFormatDecimal(value, digits, out var written))
        {
            json.WritePropertyName(name);
            json.WriteRawValue(digits[..written], skipInputValidation: true);
        }
        else if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static readonly double[] Powers = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];

    /// <summary>
    /// Writes a double with at most 8 decimals as plain decimal text when that text reads back as exactly the same
    /// double: prices and sizes usually have few decimals, and this is several times faster than the general
    /// shortest round-trip formatting, which the other values still get. Exactness: for |n| below 2^53 and k ≤ 8,
    /// n / 10^k is one correctly rounded division, the double a JSON parser gives for the text of n with k decimals.
    /// </summary>
    internal static bool TryFormatDecimal(double value, Span<byte> destination, out int written)
    {
        written = 0;
        if (!double.IsFinite(value) || Math.Abs(value) >= 1e15)
        {
            return false;
        }

        // If some k ≤ 8 works, value is n / 10^k correctly rounded, so value × 10^8 lies within a few units of the
        // last place of it (2^-53 relative, twice: the division, then this multiplication) from the whole number
        // n × 10^(8-k). Farther off, no k works: most indicator values leave here instead of after eight tries.
        var scaled8 = value * Powers[^1];
        if (Math.Abs(scaled8 - Math.Round(scaled8)) > Math.Abs(scaled8) * 3e-16)
        {
            return false;
        }

        for (var k = 0; k < Powers.Length; k++)
        {
            var scaled = Math.Round(value * Powers[k]);
            if (Math.Abs(scaled) >= 9e15 || scaled / Powers[k] != value)
            {
                continue;
            }

            var n = (long)scaled;
            if (n < 0)
            {
                destination[written++] = (byte)'-';
                n = -n;
            }

            var whole = n;
            long fraction = 0;
            if (k > 0)
            {
                var divisor = (long)Powers[k];
                whole = Math.DivRem(n, divisor, out fraction);
            }

            if (!System.Buffers.Text.Utf8Formatter.TryFormat(whole, destination[written..], out var count))
            {
                return false;
            }

            written += count;
            if (k > 0)
            {
                destination[written++] = (byte)'.';
                for (var i = k - 1; i >= 0; i--)
                {
                    destination[written + i] = (byte)('0' + (fraction % 10));
                    fraction /= 10;
                }

                written += k;
            }

            return true;
        }

        return false;
    }
}
