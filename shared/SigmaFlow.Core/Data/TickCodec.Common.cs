using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace SigmaFlow.Core.Data;

/// <summary>The hand-written reader of the common tick shape (see <see cref="TryParseCommon"/>).</summary>
public static partial class TickCodec
{
    private const ulong MaxExactMantissa = 1UL << 53;

    /// <summary>10^0 … 10^19.</summary>
    private static readonly ulong[] PowersOf10 =
    [
        1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000, 10_000_000_000, 100_000_000_000,
        1_000_000_000_000, 10_000_000_000_000, 100_000_000_000_000, 1_000_000_000_000_000, 10_000_000_000_000_000,
        100_000_000_000_000_000, 1_000_000_000_000_000_000, 10_000_000_000_000_000_000,
    ];

    /// <summary>Powers of ten that a double holds exactly (10^0 … 10^22).</summary>
    private static readonly double[] ExactPowersOf10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    /// <summary>
    /// Reads the shape publishers write in one pass without a JSON reader: first exactly what <see cref="Write(in Tick)"/>
    /// writes, else one object of members in any order: <c>symbol</c> (printable ASCII without escapes), <c>time</c>
    /// and <c>seq</c> (JSON integers), <c>price</c>, <c>size</c>, <c>bid</c> and <c>ask</c> (JSON numbers; <c>null</c>
    /// for bid and ask) and other members with a string, number, boolean or null value (ignored), white space anywhere
    /// JSON allows it. Anything else (escapes in the symbol, numbers in strings, ISO times, values out of range, objects
    /// or arrays, a missing member, malformed or truncated input) returns false without a verdict, and the general
    /// reader decides; so what is accepted, the values and every message are the general reader's. Like it, the reader
    /// stops at the object's closing brace.
    /// </summary>
    /// <remarks>
    /// Numbers are exact: a mantissa of at most 2^53 with a power of ten up to 22 is one correctly rounded IEEE
    /// multiplication or division (Clinger's fast path); any other number goes through <see cref="Utf8Parser"/>, as
    /// the general reader's <c>Utf8JsonReader.TryGetDouble</c> does, and infinities are refused as it refuses them.
    /// </remarks>
    internal static bool TryParseCommon(ReadOnlySpan<byte> json, SymbolTable? symbols, out Tick tick)
    {
        if (TryParseWritten(json, symbols, out tick))
        {
            return true;
        }

        // Every reader below takes a position and returns the next one, or -1 when the input is not of this shape
        // (positions passed by reference would keep them in memory instead of registers).
        tick = default;
        string? symbol = null;
        long time = 0, sequence = -1;
        bool hasTime = false, hasPrice = false;
        double price = double.NaN, size = 0, bid = double.NaN, ask = double.NaN;
        var i = SkipWhiteSpace(json, 0);
        if ((uint)i >= (uint)json.Length || json[i] != '{')
        {
            return false;
        }

        i++;
        while (true)
        {
            i = ReadMember(json, SkipWhiteSpace(json, i), out var member);
            switch (member)
            {
                case Member.Symbol:
                    i = ReadSymbol(json, i, symbols, out symbol);
                    break;
                case Member.Time:
                    i = ReadInteger(json, i, out time);
                    hasTime = true;
                    break;
                case Member.Price:
                    i = ReadNumber(json, i, out price);
                    hasPrice = true;
                    break;
                case Member.Size:
                    i = ReadNumber(json, i, out size);
                    break;
                case Member.Bid:
                    i = ReadNumberOrNull(json, i, ref bid);
                    break;
                case Member.Ask:
                    i = ReadNumberOrNull(json, i, ref ask);
                    break;
                case Member.Sequence:
                    i = ReadInteger(json, i, out sequence);
                    i = sequence < 0 ? -1 : i;
                    break;
                default:
                    // Another member: ignored, as the general reader ignores it, when its value is a plain one.
                    i = SkipScalar(json, i);
                    break;
            }

            i = i < 0 ? -1 : SkipWhiteSpace(json, i);
            if ((uint)i >= (uint)json.Length)
            {
                return false;
            }

            if (json[i] == '}')
            {
                break;
            }

            if (json[i] != ',')
            {
                return false;
            }

            i++;
        }

        if (string.IsNullOrEmpty(symbol) || !hasTime || !hasPrice)
        {
            return false;
        }

        tick = new Tick(symbol, time, price, size, bid, ask, sequence);
        return true;
    }

    /// <summary>
    /// Exactly what <see cref="Write(Utf8JsonWriter, in Tick)"/> writes, member by member in its order without white
    /// space: each member name with its punctuation is one comparison. Anything else is left to the loop over members.
    /// </summary>
    private static bool TryParseWritten(ReadOnlySpan<byte> json, SymbolTable? symbols, out Tick tick)
    {
        tick = default;
        double bid = double.NaN, ask = double.NaN;
        long sequence = -1;
        if (!json.StartsWith("{\"symbol\":"u8))
        {
            return false;
        }

        var i = ReadSymbol(json, 10, symbols, out var symbol);
        i = Expect(json, i, ",\"time\":"u8);
        i = ReadInteger(json, i, out var time);
        i = Expect(json, i, ",\"price\":"u8);
        i = ReadNumber(json, i, out var price);
        var size = 0.0;
        if (Next(json, i, ",\"size\":"u8))
        {
            i = ReadNumber(json, i + 8, out size);
        }

        if (Next(json, i, ",\"bid\":"u8))
        {
            i = ReadNumber(json, i + 7, out bid);
        }

        if (Next(json, i, ",\"ask\":"u8))
        {
            i = ReadNumber(json, i + 7, out ask);
        }

        if (Next(json, i, ",\"seq\":"u8))
        {
            i = ReadInteger(json, i + 7, out sequence);
            i = sequence < 0 ? -1 : i;
        }

        if (i < 0 || (uint)i >= (uint)json.Length || json[i] != '}' || string.IsNullOrEmpty(symbol))
        {
            return false;
        }

        tick = new Tick(symbol, time, price, size, bid, ask, sequence);
        return true;

        static bool Next(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) => i >= 0 && json[i..].StartsWith(literal);

        static int Expect(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal) => Next(json, i, literal) ? i + literal.Length : -1;
    }

    /// <summary>
    /// Reads <c>"name":</c> at <paramref name="i"/> (white space allowed before the colon and after it) and says which
    /// member it names; <see cref="Member.Other"/> for any other name. Names are compared as written, escapes and all,
    /// as the general reader compares them (<c>"pric\u0065"</c> is another member to both).
    /// </summary>
    private static int ReadMember(ReadOnlySpan<byte> json, int i, out Member member)
    {
        member = Member.Other;
        if ((uint)i >= (uint)json.Length || json[i] != '"')
        {
            return -1;
        }

        var rest = json[i..];
        int length;
        (member, length) = rest.Length < 6 ? (Member.Other, 0) : rest[1] switch
        {
            (byte)'s' when rest.StartsWith("\"symbol\""u8) => (Member.Symbol, 8),
            (byte)'s' when rest.StartsWith("\"size\""u8) => (Member.Size, 6),
            (byte)'s' when rest.StartsWith("\"seq\""u8) => (Member.Sequence, 5),
            (byte)'t' when rest.StartsWith("\"time\""u8) => (Member.Time, 6),
            (byte)'p' when rest.StartsWith("\"price\""u8) => (Member.Price, 7),
            (byte)'b' when rest.StartsWith("\"bid\""u8) => (Member.Bid, 5),
            (byte)'a' when rest.StartsWith("\"ask\""u8) => (Member.Ask, 5),
            _ => (Member.Other, 0),
        };
        var end = member == Member.Other ? SkipString(json, i) : i + length;
        var colon = end < 0 ? -1 : SkipWhiteSpace(json, end);
        if ((uint)colon >= (uint)json.Length || json[colon] != ':')
        {
            member = Member.Other;
            return -1;
        }

        return SkipWhiteSpace(json, colon + 1);
    }

    /// <summary>
    /// Moves past a string, number, <c>true</c>, <c>false</c> or <c>null</c>, checked as JSON; -1 for objects and arrays
    /// (left to the general reader) and for anything not valid.
    /// </summary>
    private static int SkipScalar(ReadOnlySpan<byte> json, int i)
    {
        if ((uint)i >= (uint)json.Length)
        {
            return -1;
        }

        var rest = json[i..];
        return rest[0] switch
        {
            (byte)'"' => SkipString(json, i),
            (byte)'t' => rest.StartsWith("true"u8) ? i + 4 : -1,
            (byte)'f' => rest.StartsWith("false"u8) ? i + 5 : -1,
            (byte)'n' => rest.StartsWith("null"u8) ? i + 4 : -1,
            (byte)'-' or (>= (byte)'0' and <= (byte)'9') => SkipNumber(json, i),
            _ => -1,
        };
    }

    /// <summary>
    /// Moves past a string: no control characters, well-formed escapes (a <c>\u</c> of a surrogate is left to the
    /// general reader), valid UTF-8.
    /// </summary>
    private static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        var start = i;
        var ascii = true;
        for (i++; (uint)i < (uint)json.Length; i++)
        {
            var b = json[i];
            if (b == '"')
            {
                return ascii || Utf8.IsValid(json[start..i]) ? i + 1 : -1;
            }

            if (b < 0x20)
            {
                return -1;
            }

            ascii &= b < 0x80;
            if (b != '\\' || (uint)(i + 1) >= (uint)json.Length)
            {
                continue;
            }

            i++;
            if (json[i] == 'u')
            {
                if ((uint)(i + 5) > (uint)json.Length || !Utf8Parser.TryParse(json.Slice(i + 1, 4), out ushort code, out var used, 'x') || used != 4 || char.IsSurrogate((char)code))
                {
                    return -1;
                }

                i += 4;
            }
            else if (json[i] is not ((byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t'))
            {
                return -1;
            }
        }

        return -1;
    }

    /// <summary>Moves past a number of JSON's grammar (<c>-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?</c>).</summary>
    private static int SkipNumber(ReadOnlySpan<byte> json, int i)
    {
        if (json[i] == '-')
        {
            i++;
        }

        var start = i;
        i = ReadDigits(json, i, out _);
        if (i == start || (i - start > 1 && json[start] == '0'))
        {
            return -1;
        }

        if ((uint)i < (uint)json.Length && json[i] == '.')
        {
            start = ++i;
            i = ReadDigits(json, i, out _);
            if (i == start)
            {
                return -1;
            }
        }

        if ((uint)i < (uint)json.Length && json[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if ((uint)i < (uint)json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            start = i;
            i = ReadDigits(json, i, out _);
            if (i == start)
            {
                return -1;
            }
        }

        return i;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhiteSpace(ReadOnlySpan<byte> json, int i)
    {
        // Most calls find no white space: one comparison and out.
        return (uint)i < (uint)json.Length && json[i] > (byte)' ' ? i : SkipWhiteSpaceSlow(json, i);
    }

    private static int SkipWhiteSpaceSlow(ReadOnlySpan<byte> json, int i)
    {
        while ((uint)i < (uint)json.Length && json[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>A string of printable ASCII without escapes, interned as the general reader interns it.</summary>
    private static int ReadSymbol(ReadOnlySpan<byte> json, int i, SymbolTable? symbols, out string? symbol)
    {
        symbol = null;
        if ((uint)i >= (uint)json.Length || json[i] != '"')
        {
            return -1;
        }

        var start = i + 1;
        var end = start;
        while ((uint)end < (uint)json.Length && json[end] is >= 0x20 and < 0x7F and not (byte)'"' and not (byte)'\\')
        {
            end++;
        }

        if ((uint)end >= (uint)json.Length || json[end] != '"' || end == start)
        {
            return -1;
        }

        var text = json[start..end];
        symbol = symbols is null ? Encoding.ASCII.GetString(text) : symbols.Intern(text);
        return end + 1;
    }

    /// <summary>A JSON integer (no fraction or exponent) of at most 18 digits.</summary>
    private static int ReadInteger(ReadOnlySpan<byte> json, int i, out long value)
    {
        var negative = (uint)i < (uint)json.Length && json[i] == '-';
        var start = negative ? i + 1 : i;
        var end = ReadDigits(json, start, out var digits);
        var count = end - start;
        value = negative ? -(long)digits : (long)digits;
        if (count == 0 || count > 18 || (count > 1 && json[start] == '0') || ((uint)end < (uint)json.Length && json[end] is (byte)'.' or (byte)'e' or (byte)'E'))
        {
            return -1;
        }

        return end;
    }

    /// <summary>Reads the digits from <paramref name="i"/> on into a number (which wraps after 19 digits); returns where they end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ReadDigits(ReadOnlySpan<byte> json, int i, out ulong value)
    {
        ulong digits = 0;
        for (; (uint)i < (uint)json.Length; i++)
        {
            var digit = (uint)(json[i] - '0');
            if (digit > 9)
            {
                break;
            }

            digits = (digits * 10) + digit;
        }

        value = digits;
        return i;
    }

    private static int ReadNumberOrNull(ReadOnlySpan<byte> json, int i, ref double value)
    {
        if (json[i..].StartsWith("null"u8))
        {
            return i + 4;
        }

        var end = ReadNumber(json, i, out var number);
        if (end >= 0)
        {
            value = number;
        }

        return end;
    }

    /// <summary>A JSON number as the nearest double; -1 when it is not one or is out of the double's range.</summary>
    private static int ReadNumber(ReadOnlySpan<byte> json, int i, out double value)
    {
        value = double.NaN;
        var start = i;
        var negative = (uint)i < (uint)json.Length && json[i] == '-';
        var p = negative ? i + 1 : i;

        // Integer part: 0, or a digit 1-9 and more digits; then an optional fraction. The digits of both go into one
        // mantissa (exact up to 19 digits; longer numbers take the general route below).
        var integerStart = p;
        p = ReadDigits(json, p, out var mantissa);
        var digits = p - integerStart;
        if (digits == 0 || (digits > 1 && json[integerStart] == '0'))
        {
            return -1;
        }

        var scale = 0;
        if ((uint)p < (uint)json.Length && json[p] == '.')
        {
            var fractionStart = p + 1;
            p = ReadDigits(json, fractionStart, out var fraction);
            var fractionDigits = p - fractionStart;
            if (fractionDigits == 0)
            {
                return -1;
            }

            digits += fractionDigits;
            scale = -fractionDigits;
            mantissa = digits <= 19 ? (mantissa * PowersOf10[fractionDigits]) + fraction : 0;
        }

        if ((uint)p < (uint)json.Length && json[p] is (byte)'e' or (byte)'E')
        {
            p++;
            var negativeExponent = (uint)p < (uint)json.Length && json[p] == '-';
            if ((uint)p < (uint)json.Length && json[p] is (byte)'-' or (byte)'+')
            {
                p++;
            }

            var exponentStart = p;
            p = ReadDigits(json, p, out var exponent);
            if (p == exponentStart)
            {
                return -1;
            }

            // Beyond six digits the exponent only says "out of range" or "zero"; the general route decides which.
            scale = p - exponentStart > 6 ? int.MaxValue : scale + (negativeExponent ? -(int)exponent : (int)exponent);
        }

        if (digits <= 19 && mantissa <= MaxExactMantissa && scale is >= -22 and <= 22)
        {
            var exact = scale >= 0 ? mantissa * ExactPowersOf10[scale] : mantissa / ExactPowersOf10[-scale];
            value = negative ? -exact : exact;
            return p;
        }

        if (!Utf8Parser.TryParse(json[start..p], out double parsed, out var consumed) || consumed != p - start || !double.IsFinite(parsed))
        {
            return -1;
        }

        value = parsed;
        return p;
    }

    private enum Member
    {
        Other,
        Symbol,
        Time,
        Price,
        Size,
        Bid,
        Ask,
        Sequence,
    }
}
