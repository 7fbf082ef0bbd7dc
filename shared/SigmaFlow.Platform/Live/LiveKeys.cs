using System.Globalization;
using System.Text;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// Table keys of the live tables. Keys may not hold <c>/</c>, <c>\</c>, <c>#</c>, <c>?</c> or control characters, and
/// <c>|</c> separates key parts here, so those characters (and <c>%</c>) are percent-encoded: <c>BRK/B</c> becomes
/// <c>BRK%2FB</c>. Symbols made of letters, digits, <c>.</c>, <c>-</c>, <c>_</c>, <c>:</c> or <c>^</c> stay as they are.
/// </summary>
public static class LiveKeys
{
    /// <summary>Digits of a zero-padded time key (Unix ms up to year 33658).</summary>
    public const int TimeDigits = 15;

    /// <summary>A value as a key part: percent-encodes <c>%</c>, <c>/</c>, <c>\</c>, <c>#</c>, <c>?</c>, <c>|</c> and control characters.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The key part (the same string when nothing needs encoding).</returns>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var first = IndexOfSpecial(value);
        if (first < 0)
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        builder.Append(value, 0, first);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.AsSpan(first).EnumerateRunes())
        {
            if (rune.IsBmp && IsSpecial((char)rune.Value))
            {
                var count = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < count; i++)
                {
                    builder.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
                }
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>Reverses <see cref="Escape"/>.</summary>
    /// <param name="key">The key part.</param>
    /// <returns>The value.</returns>
    public static string Unescape(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(key) : key;
    }

    /// <summary>A time as a key that sorts in time order: Unix ms zero-padded to <see cref="TimeDigits"/> digits.</summary>
    /// <param name="unixMilliseconds">The time (not negative).</param>
    /// <returns>The key.</returns>
    public static string Time(long unixMilliseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(unixMilliseconds);
        return unixMilliseconds.ToString("D15", CultureInfo.InvariantCulture);
    }

    /// <summary>The PartitionKey of a symbol's bars of one timeframe in <see cref="LiveNames.BarsTable"/>: <c>{SYMBOL}|{timeframe}</c>.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <param name="timeframe">The timeframe.</param>
    /// <returns>The key.</returns>
    public static string Bars(string symbol, Timeframe timeframe) => $"{Escape(symbol)}|{timeframe}";

    /// <summary>The RowKey of a dead letter: <c>{enqueued ms:D15}-{partition}-{sequence:D20}</c> (unique even when a local log restarts its numbering).</summary>
    /// <param name="enqueuedTime">When the event was enqueued.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="sequenceNumber">The event's sequence number.</param>
    /// <returns>The key.</returns>
    public static string DeadLetter(DateTimeOffset enqueuedTime, string partitionId, long sequenceNumber) =>
        string.Create(CultureInfo.InvariantCulture, $"{Time(Math.Max(0, enqueuedTime.ToUnixTimeMilliseconds()))}-{Escape(partitionId)}-{Math.Max(0, sequenceNumber):D20}");

    private static int IndexOfSpecial(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (IsSpecial(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsSpecial(char c) => c is '%' or '/' or '\\' or '#' or '?' or '|' || char.IsControl(c);
}
