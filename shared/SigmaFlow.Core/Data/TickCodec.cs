using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SigmaFlow.Core.Data;

/// <summary>
/// The tick wire format, one JSON object per event:
/// <c>{"symbol":"BTCUSD","time":1763712000123,"price":65000.1,"size":0.25,"bid":65000.0,"ask":65000.2,"seq":1201}</c>.
/// <c>symbol</c>, <c>time</c> (Unix milliseconds UTC, or an ISO 8601 string with an offset or Z) and <c>price</c> are
/// required; <c>size</c> defaults to 0; <c>bid</c>, <c>ask</c> and <c>seq</c> are optional. Unknown members are ignored.
/// Parsing is allocation-free apart from the symbol string, which callers can intern. The shape publishers write is
/// read by a hand-written reader (<c>TickCodec.Common.cs</c>); anything else goes to the general reader, which decides
/// what is accepted and says why not.
/// </summary>
public static partial class TickCodec
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 4 };

    /// <summary>Writes a tick as one JSON object (UTF-8), numbers in round-trip form.</summary>
    /// <param name="tick">The tick.</param>
    /// <returns>The JSON bytes.</returns>
    public static byte[] Write(in Tick tick)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, tick);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a tick as one JSON object.</summary>
    /// <param name="json">The writer.</param>
    /// <param name="tick">The tick.</param>
    public static void Write(Utf8JsonWriter json, in Tick tick)
    {
        ArgumentNullException.ThrowIfNull(json);
        json.WriteStartObject();
        json.WriteString("symbol", tick.Symbol);
        json.WriteNumber("time", tick.Time);
        json.WriteNumber("price", tick.Price);
        json.WriteNumber("size", tick.Size);
        if (double.IsFinite(tick.Bid))
        {
            json.WriteNumber("bid", tick.Bid);
        }

        if (double.IsFinite(tick.Ask))
        {
            json.WriteNumber("ask", tick.Ask);
        }

        if (tick.Sequence >= 0)
        {
            json.WriteNumber("seq", tick.Sequence);
        }

        json.WriteEndObject();
    }

    /// <summary>Parses one tick. Shape errors (not an object, missing or mistyped members) are reported, not thrown.</summary>
    /// <param name="utf8">The JSON.</param>
    /// <param name="symbols">Interns symbol strings (one string per symbol across ticks), or null.</param>
    /// <param name="tick">The tick, when parsed.</param>
    /// <param name="error">Why it could not be parsed: the member, the rule and the value.</param>
    /// <returns>True when parsed.</returns>
    public static bool TryParse(ReadOnlySpan<byte> utf8, SymbolTable? symbols, out Tick tick, out string? error)
    {
        if (TryParseCommon(utf8, symbols, out tick))
        {
            error = null;
            return true;
        }

        return TryParseGeneral(utf8, symbols, out tick, out error);
    }

    /// <summary>The general reader: every shape the format allows, and the message for every shape it does not.</summary>
    internal static bool TryParseGeneral(ReadOnlySpan<byte> utf8, SymbolTable? symbols, out Tick tick, out string? error)
    {
        tick = default;
        string? symbol = null;
        long time = 0;
        bool hasTime = false, hasPrice = false;
        double price = double.NaN, size = 0, bid = double.NaN, ask = double.NaN;
        long sequence = -1;
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "a tick must be a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("symbol"u8))
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = $"'symbol' must be a string; got {reader.TokenType}";
                        return false;
                    }

                    symbol = ReadSymbol(ref reader, symbols);
                }
                else if (name.SequenceEqual("time"u8))
                {
                    if (!ReadTime(ref reader, out time, out error))
                    {
                        return false;
                    }

                    hasTime = true;
                }
                else if (name.SequenceEqual("price"u8))
                {
                    if (!ReadNumber(ref reader, "price", out price, out error))
                    {
                        return false;
                    }

                    hasPrice = true;
                }
                else if (name.SequenceEqual("size"u8))
                {
                    if (!ReadNumber(ref reader, "size", out size, out error))
                    {
                        return false;
                    }
                }
                else if (name.SequenceEqual("bid"u8))
                {
                    if (reader.TokenType != JsonTokenType.Null && !ReadNumber(ref reader, "bid", out bid, out error))
                    {
                        return false;
                    }
                }
                else if (name.SequenceEqual("ask"u8))
                {
                    if (reader.TokenType != JsonTokenType.Null && !ReadNumber(ref reader, "ask", out ask, out error))
                    {
                        return false;
                    }
                }
                else if (name.SequenceEqual("seq"u8))
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out sequence) || sequence < 0)
                    {
                        error = "'seq' must be a whole number ≥ 0";
                        return false;
                    }
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException e)
        {
            error = $"not valid JSON ({e.Message.Split(" LineNumber", 2)[0]})";
            return false;
        }

        if (string.IsNullOrEmpty(symbol))
        {
            error = "'symbol' is required and must not be empty";
            return false;
        }

        if (!hasTime)
        {
            error = "'time' is required (Unix milliseconds or ISO 8601)";
            return false;
        }

        if (!hasPrice)
        {
            error = "'price' is required";
            return false;
        }

        tick = new Tick(symbol, time, price, size, bid, ask, sequence);
        error = null;
        return true;
    }

    private static string? ReadSymbol(ref Utf8JsonReader reader, SymbolTable? symbols)
    {
        if (symbols is null || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > 64)
        {
            var text = reader.GetString();
            return symbols is null || text is null ? text : symbols.Intern(text);
        }

        Span<char> chars = stackalloc char[64];
        var length = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        return symbols.Intern(chars[..length]);
    }

    private static bool ReadNumber(ref Utf8JsonReader reader, string name, out double value, out string? error)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out value))
        {
            error = null;
            return true;
        }

        if (reader.TokenType == JsonTokenType.String && Utf8Parser.TryParse(reader.ValueSpan, out value, out var consumed) && consumed == reader.ValueSpan.Length)
        {
            error = null;
            return true;
        }

        value = double.NaN;
        error = $"'{name}' must be a number; got {Describe(ref reader)}";
        return false;
    }

    private static bool ReadTime(ref Utf8JsonReader reader, out long time, out string? error)
    {
        error = null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out time))
        {
            return true;
        }

        if (reader.TokenType == JsonTokenType.String && reader.TryGetDateTimeOffset(out var when))
        {
            time = when.ToUnixTimeMilliseconds();
            return true;
        }

        time = 0;
        error = $"'time' must be Unix milliseconds or an ISO 8601 date-time; got {Describe(ref reader)}";
        return false;
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"'{Truncate(reader.GetString() ?? string.Empty)}'",
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string Truncate(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");
}

/// <summary>
/// Interns symbol strings so a stream of ticks for a few symbols allocates one string per symbol. Thread-safe for
/// readers; symbols are added under a lock. Bounded: beyond <see cref="Capacity"/> distinct symbols new ones are
/// returned without being kept. Symbols looked up by their UTF-8 bytes go through a small cache of recent ones first,
/// so the common lookup hashes a few bytes instead of decoding and hashing the characters.
/// </summary>
public sealed class SymbolTable
{
    private const int RecentSlots = 128;
    private const int MaxDecodedLength = 64;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> symbols = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup;

    /// <summary>Recently looked-up symbols by their UTF-8 bytes: two candidate slots per symbol, a newer symbol replaces an older one.</summary>
    private readonly Recent?[] recent = new Recent?[RecentSlots];

    /// <summary>Creates an empty table.</summary>
    /// <param name="capacity">Most symbols kept.</param>
    public SymbolTable(int capacity = 100_000)
    {
        Capacity = capacity;
        lookup = symbols.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Most symbols kept.</summary>
    public int Capacity { get; }

    /// <summary>Symbols kept.</summary>
    public int Count => symbols.Count;

    /// <summary>The one string for a symbol (lock-free when the symbol is known).</summary>
    /// <param name="symbol">The symbol's characters.</param>
    /// <returns>The interned string.</returns>
    public string Intern(ReadOnlySpan<char> symbol) => Intern(symbol, out _);

    /// <summary>The one string for a symbol.</summary>
    /// <param name="symbol">The symbol.</param>
    /// <returns>The interned string.</returns>
    public string Intern(string symbol)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return Intern(symbol.AsSpan());
    }

    /// <summary>
    /// The one string for a symbol given as UTF-8 (what <see cref="Intern(ReadOnlySpan{char})"/> gives for the decoded
    /// characters; invalid bytes decode to U+FFFD). Lock-free and allocation-free when the symbol is known.
    /// </summary>
    /// <param name="utf8">The symbol's UTF-8 bytes.</param>
    /// <returns>The interned string.</returns>
    public string Intern(ReadOnlySpan<byte> utf8)
    {
        var slot = Slot(utf8);
        if (recent[slot] is { } first && utf8.SequenceEqual(first.Utf8))
        {
            return first.Text;
        }

        return recent[slot + 1] is { } second && utf8.SequenceEqual(second.Utf8) ? second.Text : InternAndRemember(utf8, slot);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Count} symbols");

    private static int Slot(ReadOnlySpan<byte> utf8)
    {
        var hash = (ulong)utf8.Length;
        foreach (var b in utf8.Length <= 16 ? utf8 : utf8[^16..])
        {
            hash = (hash * 31) + b;
        }

        // An even slot of the 128: the symbol may sit there or in the next one.
        return (int)((hash * 0x9E3779B97F4A7C15UL) >> 58) * 2;
    }

    private string InternAndRemember(ReadOnlySpan<byte> utf8, int slot)
    {
        bool kept;
        string text;
        if (utf8.Length <= MaxDecodedLength)
        {
            Span<char> chars = stackalloc char[MaxDecodedLength];
            text = Intern(chars[..Encoding.UTF8.GetChars(utf8, chars)], out kept);
        }
        else
        {
            text = Intern(Encoding.UTF8.GetString(utf8).AsSpan(), out kept);
        }

        // Only kept symbols are remembered, so a full table still gives a new string for each new symbol as before.
        if (kept)
        {
            recent[recent[slot] is null || recent[slot + 1] is not null ? slot : slot + 1] = new Recent(utf8.ToArray(), text);
        }

        return text;
    }

    private string Intern(ReadOnlySpan<char> symbol, out bool kept)
    {
        if (lookup.TryGetValue(symbol, out var found))
        {
            kept = true;
            return found;
        }

        var text = symbol.ToString();
        kept = symbols.Count < Capacity;
        return kept ? symbols.GetOrAdd(text, text) : text;
    }

    private sealed record Recent(byte[] Utf8, string Text);
}
