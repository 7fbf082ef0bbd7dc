using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Unicode;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Functions.IngestTicks;

/// <summary>
/// Reads IngestTicks' invocation envelope straight from the request body, in one pass and without a JSON document:
/// the event bodies of <c>Data.events</c> (the host sends them as a JSON array of strings inside one JSON string, so
/// each body is escaped twice) are unescaped from both levels at once into one buffer; the metadata arrays are read
/// element by element into numbers, times and interned keys; every other value is checked to be valid JSON and
/// skipped.
/// </summary>
/// <remarks>
/// <para>
/// This reader decides nothing on its own. It reads the shapes that <see cref="Host.InvocationRequest"/> with
/// <see cref="IngestTicksHandler.ReadBatch(Host.InvocationRequest, SymbolTable?)"/> (the general reader) reads, and
/// gives up on anything it is not sure of: invalid JSON, <c>\u</c> escapes in the structure of the host's strings
/// (STJ's default escaping writes every quote as <c>\u0022</c>) or in values the general reader decodes twice, lone
/// surrogates, a property name with an escape or a non-ASCII character (the general reader matches names
/// case-insensitively), a value of interest that
/// appears twice, a value in a form it does not read (numbers as strings, times it cannot read exactly, string-encoded
/// objects), arrays whose lengths differ, a missing partition id. Giving up returns null, and the caller runs the
/// general reader on the same bytes; so the shapes accepted, the batches built and the messages of refused envelopes
/// are the general reader's by construction, and tests compare the two readers field by field on the same envelopes.
/// </para>
/// <para>
/// Whatever it accepts, the general reader accepts the same way: the whole body is valid JSON (UTF-8 checked up front,
/// every token checked, nesting at most <see cref="MaxDepth"/>); a value the general reader would decode as text and
/// parse again is read as that text; names it compares are plain ASCII.
/// </para>
/// </remarks>
internal sealed class IngestEnvelopeReader
{
    /// <summary>Deepest nesting read (the general reader allows 64).</summary>
    private const int MaxDepth = 32;

    private const int MaxInternedLength = 64;

    /// <summary>What ends a run of plain characters inside a JSON string: a quote, a backslash or a control character.</summary>
    private static readonly SearchValues<byte> StringSpecials = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, (byte)'"', (byte)'\\']);

    [ThreadStatic]
    private static IngestEnvelopeReader? cached;

    private readonly Column<int> bodyStarts = new();
    private readonly Column<int> bodyLengths = new();
    private readonly Column<long> sequences = new();
    private readonly Column<DateTimeOffset> times = new();
    private readonly Column<string?> keys = new();
    private readonly Column<string?> ids = new();
    private readonly byte[] lastDate = new byte[10];
    private byte[] scratch = new byte[4096];
    private int lastDateLength;
    private long lastDay;
    private byte[] bodies = [];
    private int bodiesUsed;
    private SymbolTable? symbols;
    private string? partitionId;
    private bool seenData;
    private bool seenMetadata;
    private bool seenEvents;
    private bool seenPartitionContext;

    private enum ColumnKind
    {
        Sequences,
        Times,
        Keys,
        Ids,
    }

    /// <summary>
    /// Reads a batch, or gives up (null) when the envelope is not in a shape this reader is sure of; the caller then
    /// runs the general reader. On success the event bodies lie in <paramref name="buffer"/>, rented from
    /// <see cref="ArrayPool{T}.Shared"/>: the caller returns it once it is done with the batch.
    /// </summary>
    /// <param name="body">The request body.</param>
    /// <param name="symbols">Interns partition keys, or null.</param>
    /// <param name="buffer">The rented buffer holding the bodies; null when the reader gives up.</param>
    /// <returns>The batch, or null.</returns>
    public static IngestBatch? TryRead(ReadOnlySpan<byte> body, SymbolTable? symbols, out byte[]? buffer)
    {
        var reader = cached ?? new IngestEnvelopeReader();
        cached = null;
        try
        {
            return reader.Read(body, symbols, out buffer);
        }
        finally
        {
            reader.Clear();
            cached = reader;
        }
    }

    /// <summary>
    /// The host's own time format, read exactly: <c>"yyyy-MM-ddTHH:mm:ss[.fffffff][Z]"</c> (Json.NET's text of a UTC or
    /// an unspecified <see cref="DateTime"/>) as UTC, given as the JSON string token with its quotes. False for
    /// anything else.
    /// </summary>
    /// <param name="raw">The string token, quotes included.</param>
    /// <param name="value">The time.</param>
    /// <returns>True when read.</returns>
    public static bool TryParseUtc(ReadOnlySpan<byte> raw, out DateTimeOffset value)
    {
        value = default;
        if (!TryTimeShape(raw, out var text) || !TryDate(text, out var day) || !TryTimeOfDay(text, out var time))
        {
            return false;
        }

        value = new DateTimeOffset(day + time, TimeSpan.Zero);
        return true;
    }

    /// <summary>The text between the quotes without a final <c>Z</c>, when its length and separators are those of <c>yyyy-MM-ddTHH:mm:ss[.fffffff]</c>.</summary>
    private static bool TryTimeShape(ReadOnlySpan<byte> raw, out ReadOnlySpan<byte> text)
    {
        text = default;
        if (raw.Length < 21 || raw[0] != '"' || raw[^1] != '"')
        {
            return false;
        }

        text = raw[1..^1];
        if (text[^1] == 'Z')
        {
            text = text[..^1];
        }

        return text.Length is >= 19 and not 20 and <= 27 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && (text.Length == 19 || text[19] == '.');
    }

    /// <summary>The start of the day <c>yyyy-MM-dd</c> names, in ticks.</summary>
    private static bool TryDate(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        if (!Digits(text[..4], out var year) || !Digits(text[5..7], out var month) || !Digits(text[8..10], out var day)
            || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        ticks = new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc).Ticks;
        return true;
    }

    /// <summary>The time of day <c>HH:mm:ss[.fffffff]</c> names, in ticks.</summary>
    private static bool TryTimeOfDay(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        if (!Digits(text[11..13], out var hour) || !Digits(text[14..16], out var minute) || !Digits(text[17..19], out var second)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var fraction = 0;
        if (text.Length > 19)
        {
            var digits = text[20..];
            if (!Digits(digits, out fraction))
            {
                return false;
            }

            for (var i = digits.Length; i < 7; i++)
            {
                fraction *= 10;
            }
        }

        ticks = (hour * TimeSpan.TicksPerHour) + (minute * TimeSpan.TicksPerMinute) + (second * TimeSpan.TicksPerSecond) + fraction;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (var b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return true;
    }

    private IngestBatch? Read(ReadOnlySpan<byte> body, SymbolTable? table, out byte[]? buffer)
    {
        buffer = null;
        symbols = table;
        if (!Utf8.IsValid(body))
        {
            return null;
        }

        bodies = ArrayPool<byte>.Shared.Rent(Math.Max(body.Length, 16));
        var i = 0;
        if (!ReadEnvelope(body, ref i) || partitionId is null)
        {
            ArrayPool<byte>.Shared.Return(bodies);
            return null;
        }

        var count = bodyStarts.Count;
        if (count > 0 && (sequences.Count != count || times.Count != count || (keys.Present && keys.Count != count) || (ids.Present && ids.Count != count)))
        {
            ArrayPool<byte>.Shared.Return(bodies);
            return null;
        }

        var events = new IngestEvent[count];
        for (var e = 0; e < events.Length; e++)
        {
            events[e] = new IngestEvent(
                bodies.AsMemory(bodyStarts[e], bodyLengths[e]),
                sequences[e],
                times[e],
                keys.Present ? keys[e] : null,
                ids.Present ? ids[e] : null);
        }

        buffer = bodies;
        return new IngestBatch(partitionId, events);
    }

    private void Clear()
    {
        bodyStarts.Clear();
        bodyLengths.Clear();
        sequences.Clear();
        times.Clear();
        keys.Clear();
        ids.Clear();
        bodies = [];
        bodiesUsed = 0;
        lastDateLength = 0;
        symbols = null;
        partitionId = null;
        seenData = seenMetadata = seenEvents = seenPartitionContext = false;
    }

    /// <summary>The whole body: one object, then nothing but white space.</summary>
    private bool ReadEnvelope(ReadOnlySpan<byte> s, ref int i)
    {
        i = Ws(s, i);
        if (!ReadObject(s, ref i, Level.Envelope, 1))
        {
            return false;
        }

        return Ws(s, i) == s.Length;
    }

    /// <summary>An object whose members matter at <paramref name="level"/>: names are matched, values of interest read, others skipped.</summary>
    private bool ReadObject(ReadOnlySpan<byte> s, ref int i, Level level, int depth)
    {
        if (!At(s, i, '{'))
        {
            return false;
        }

        i = Ws(s, i + 1);
        if (At(s, i, '}'))
        {
            i++;
            return true;
        }

        while (true)
        {
            if (!TryReadName(s, ref i, out var name) || !ReadMember(s, ref i, level, name, depth))
            {
                return false;
            }

            i = Ws(s, i);
            if (At(s, i, '}'))
            {
                i++;
                return true;
            }

            if (!At(s, i, ','))
            {
                return false;
            }

            i = Ws(s, i + 1);
        }
    }

    private bool ReadMember(ReadOnlySpan<byte> s, ref int i, Level level, ReadOnlySpan<byte> name, int depth)
    {
        switch (level)
        {
            case Level.Envelope when Ascii.EqualsIgnoreCase(name, "Data"u8):
                return Once(ref seenData) && ReadSection(s, ref i, Level.Data, depth + 1);
            case Level.Envelope when Ascii.EqualsIgnoreCase(name, "Metadata"u8):
                return Once(ref seenMetadata) && ReadSection(s, ref i, Level.Metadata, depth + 1);
            case Level.Data when Ascii.EqualsIgnoreCase(name, "events"u8):
                return Once(ref seenEvents) && ReadEvents(s, ref i, depth);
            case Level.Metadata when Ascii.EqualsIgnoreCase(name, "PartitionContext"u8):
                return Once(ref seenPartitionContext) && ReadObject(s, ref i, Level.PartitionContext, depth + 1);
            case Level.Metadata when Ascii.EqualsIgnoreCase(name, "SequenceNumberArray"u8):
                return ReadColumn(s, ref i, ColumnKind.Sequences, sequences, depth);
            case Level.Metadata when Ascii.EqualsIgnoreCase(name, "EnqueuedTimeUtcArray"u8):
                return ReadColumn(s, ref i, ColumnKind.Times, times, depth);
            case Level.Metadata when Ascii.EqualsIgnoreCase(name, "PartitionKeyArray"u8):
                return ReadColumn(s, ref i, ColumnKind.Keys, keys, depth);
            case Level.Metadata when Ascii.EqualsIgnoreCase(name, "PropertiesArray"u8):
                return ReadColumn(s, ref i, ColumnKind.Ids, ids, depth);
            case Level.PartitionContext when Ascii.EqualsIgnoreCase(name, "PartitionId"u8) && partitionId is null:
                return ReadPartitionId(s, ref i);
            case Level.Data or Level.Metadata:
                return SkipItem(s, ref i, depth);
            default:
                return SkipValue(s, ref i, depth);
        }
    }

    private static bool Once(ref bool seen)
    {
        // A second value of the same name (in any case) would replace the first in the general reader: leave it to it.
        var first = !seen;
        seen = true;
        return first;
    }

    /// <summary><c>Data</c> or <c>Metadata</c>: an object, or null (which the general reader skips).</summary>
    private bool ReadSection(ReadOnlySpan<byte> s, ref int i, Level level, int depth) =>
        TryLiteral(s, ref i, "null"u8) || ReadObject(s, ref i, level, depth);

    /// <summary>
    /// A <c>Data</c> or <c>Metadata</c> value of no interest. The general reader decodes such a string and parses its text,
    /// and parses the text again when that gives a string: a <c>\u</c> escape at either level could make that throw,
    /// so a string holding one is left to the general reader.
    /// </summary>
    private static bool SkipItem(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        var start = i;
        return SkipValue(s, ref i, depth) && (s[start] != '"' || s[start..i].IndexOf("\\u"u8) < 0);
    }

    /// <summary>
    /// <c>PartitionContext.PartitionId</c>: a number (its text), or a string the general reader keeps as it is: not
    /// empty, no escapes, no white space or control characters, and not JSON that it would parse into something else.
    /// </summary>
    private bool ReadPartitionId(ReadOnlySpan<byte> s, ref int i)
    {
        var start = i;
        if (At(s, i, '"'))
        {
            if (!ScanString(s, ref i, out var escaped) || escaped)
            {
                return false;
            }

            var text = s[(start + 1)..(i - 1)];
            if (text.IsEmpty || text.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0 || text[0] is (byte)'{' or (byte)'[' or (byte)'"'
                || text.SequenceEqual("true"u8) || text.SequenceEqual("false"u8) || text.SequenceEqual("null"u8))
            {
                return false;
            }

            partitionId = Encoding.ASCII.GetString(text);
            return true;
        }

        if (!ScanNumber(s, ref i))
        {
            return false;
        }

        partitionId = Encoding.ASCII.GetString(s[start..i]);
        return true;
    }

    /// <summary><c>Data.events</c>: an array of strings inside a string (the host's shape), an array (the documented shape) or null.</summary>
    private bool ReadEvents(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        if (At(s, i, '"'))
        {
            return ReadEventsInString(s, ref i);
        }

        if (At(s, i, '['))
        {
            return ReadEventsArray(s, ref i, depth);
        }

        return TryLiteral(s, ref i, "null"u8);
    }

    /// <summary>
    /// The host's shape: one JSON string whose text is a JSON array of strings, each an event body. Both levels are
    /// unescaped in one pass: a plain byte is a plain byte at both levels; <c>\\</c> is a backslash of the inner text,
    /// so it starts an inner escape (<c>\\\"</c> is a quote of the body, <c>\\\\</c> a backslash); <c>\"</c> is a
    /// quote of the inner text, which opens or closes a body. Anything the inner text does not allow (a control
    /// character, an element that is not a string) and <c>\u</c> escapes of the outer string give up.
    /// </summary>
    private bool ReadEventsInString(ReadOnlySpan<byte> s, ref int i)
    {
        var r = i + 1;
        var c = NextInner(s, ref r);
        if (c != '[')
        {
            return false;
        }

        c = NextInner(s, ref r);
        if (c != ']')
        {
            while (true)
            {
                if (c != '"' || !ReadInnerBody(s, ref r))
                {
                    return false;
                }

                c = NextInner(s, ref r);
                if (c == ']')
                {
                    break;
                }

                if (c != ',')
                {
                    return false;
                }

                c = NextInner(s, ref r);
            }
        }

        // After the inner array only inner white space, then the outer string's closing quote.
        if (NextInner(s, ref r) != EndOfString)
        {
            return false;
        }

        i = r;
        return true;
    }

    private const int EndOfString = -1;
    private const int Unreadable = -2;

    /// <summary>The four bytes <c>\\\"</c> read as a little-endian number.</summary>
    private const uint EscapedEscapedQuote = '\\' | ('\\' << 8) | ('\\' << 16) | ('"' << 24);

    /// <summary>The next character of the inner text that is not white space, outside inner strings; <see cref="EndOfString"/> at the outer string's end.</summary>
    private static int NextInner(ReadOnlySpan<byte> s, ref int r)
    {
        while (true)
        {
            if ((uint)r >= (uint)s.Length)
            {
                return Unreadable;
            }

            int c = s[r];
            if (c == '"')
            {
                r++;
                return EndOfString;
            }

            if (c == '\\')
            {
                if ((uint)(r + 1) >= (uint)s.Length)
                {
                    return Unreadable;
                }

                c = s[r + 1] switch
                {
                    (byte)'"' => '"',
                    (byte)'\\' => '\\',
                    (byte)'/' => '/',
                    (byte)'n' => '\n',
                    (byte)'r' => '\r',
                    (byte)'t' => '\t',
                    _ => Unreadable,
                };
                r += 2;
            }
            else if (c < 0x20)
            {
                return Unreadable;
            }
            else
            {
                r++;
            }

            if (c is not (' ' or '\n' or '\r' or '\t'))
            {
                return c;
            }
        }
    }

    /// <summary>One body of the host's shape, from after its opening (inner) quote to after its closing one.</summary>
    private bool ReadInnerBody(ReadOnlySpan<byte> s, ref int position)
    {
        // Positions in locals: passed on by reference only to inlined helpers, they stay in registers.
        var r = position;
        var destination = bodies.AsSpan();
        var w = bodiesUsed;
        var start = w;
        while (true)
        {
            CopyPlain(s, ref r, destination, ref w);
            if ((uint)r >= (uint)s.Length)
            {
                return false;
            }

            // The most frequent escape by far, a quote of the body (\\\"), in one comparison.
            if ((uint)(r + 4) <= (uint)s.Length && MemoryMarshal.Read<uint>(s[r..]) == EscapedEscapedQuote)
            {
                destination[w++] = (byte)'"';
                r += 4;
                continue;
            }

            // A quote here ends the outer string inside a body; a control character is invalid at both levels.
            if (s[r] != '\\' || (uint)(r + 1) >= (uint)s.Length)
            {
                return false;
            }

            var outer = s[r + 1];
            r += 2;
            if (outer == '"')
            {
                position = r;
                break;
            }

            if (outer == '/')
            {
                destination[w++] = (byte)'/';
                continue;
            }

            if (outer != '\\' || (uint)r >= (uint)s.Length)
            {
                return false;
            }

            // An inner escape: its letter is either plain or itself escaped once more (a plain quote would end the
            // outer string there, leaving the inner escape unfinished).
            int letter = s[r++];
            if (letter == '"')
            {
                return false;
            }

            if (letter == '\\')
            {
                if ((uint)r >= (uint)s.Length)
                {
                    return false;
                }

                letter = s[r++] switch
                {
                    (byte)'"' => '"',
                    (byte)'\\' => '\\',
                    (byte)'/' => '/',
                    _ => Unreadable,
                };
            }

            if (!Unescape(s, ref r, letter, "\\\\u"u8, destination, ref w))
            {
                return false;
            }
        }

        bodyStarts.Add(start);
        bodyLengths.Add(w - start);
        bodiesUsed = w;
        return true;
    }

    /// <summary>The documented shape: an array whose strings are bodies (unescaped) and whose other values are bodies as JSON text.</summary>
    private bool ReadEventsArray(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        i = Ws(s, i + 1);
        if (At(s, i, ']'))
        {
            i++;
            return true;
        }

        while (true)
        {
            var start = i;
            var w = bodiesUsed;
            if (At(s, i, '"'))
            {
                if (!UnescapeString(s, ref i, bodies, ref w))
                {
                    return false;
                }
            }
            else
            {
                if (!SkipValue(s, ref i, depth + 1))
                {
                    return false;
                }

                s[start..i].CopyTo(bodies.AsSpan(w));
                w += i - start;
            }

            bodyStarts.Add(bodiesUsed);
            bodyLengths.Add(w - bodiesUsed);
            bodiesUsed = w;
            i = Ws(s, i);
            if (At(s, i, ']'))
            {
                i++;
                return true;
            }

            if (!At(s, i, ','))
            {
                return false;
            }

            i = Ws(s, i + 1);
        }
    }

    /// <summary>
    /// A metadata array: the host's string holding a JSON array (read from the string's text, unescaped first when it
    /// has escapes), a plain array, or null for the optional ones.
    /// </summary>
    private bool ReadColumn<T>(ReadOnlySpan<byte> s, ref int i, ColumnKind column, Column<T> values, int depth)
    {
        if (values.Seen)
        {
            return false;
        }

        values.Seen = true;
        if (At(s, i, 'n'))
        {
            // Null: the optional arrays are then absent, as in the general reader.
            return column is ColumnKind.Keys or ColumnKind.Ids && TryLiteral(s, ref i, "null"u8);
        }

        values.Present = true;
        if (At(s, i, '['))
        {
            return ReadArray(s, ref i, column, depth);
        }

        // The string's text, unescaped (checked on the way) into the scratch buffer, which holds the rest of the body.
        if (!At(s, i, '"'))
        {
            return false;
        }

        if (scratch.Length < s.Length - i)
        {
            scratch = new byte[Math.Max(s.Length - i, scratch.Length * 2)];
        }

        var w = 0;
        if (!UnescapeString(s, ref i, scratch, ref w))
        {
            return false;
        }

        var text = scratch.AsSpan(0, w);

        // The text must be one JSON array and nothing else but white space; anything else the general reader keeps as a string.
        var p = Ws(text, 0);
        return ReadArray(text, ref p, column, 1) && Ws(text, p) == text.Length;
    }

    private bool ReadArray(ReadOnlySpan<byte> s, ref int i, ColumnKind column, int depth)
    {
        if (!At(s, i, '[') || depth > MaxDepth)
        {
            return false;
        }

        i = Ws(s, i + 1);
        if (At(s, i, ']'))
        {
            i++;
            return true;
        }

        while (true)
        {
            var read = column switch
            {
                ColumnKind.Sequences => ReadSequence(s, ref i),
                ColumnKind.Times => ReadTime(s, ref i),
                ColumnKind.Keys => ReadKey(s, ref i),
                _ => ReadEventId(s, ref i, depth + 1),
            };
            if (!read)
            {
                return false;
            }

            i = Ws(s, i);
            if (At(s, i, ']'))
            {
                i++;
                return true;
            }

            if (!At(s, i, ','))
            {
                return false;
            }

            i = Ws(s, i + 1);
        }
    }

    /// <summary>A JSON integer of at most 18 digits (others, numeric strings included, are left to the general reader).</summary>
    private bool ReadSequence(ReadOnlySpan<byte> s, ref int i)
    {
        var negative = At(s, i, '-');
        var start = negative ? i + 1 : i;
        long value = 0;
        var end = start;
        while ((uint)end < (uint)s.Length && (uint)(s[end] - '0') <= 9)
        {
            value = (value * 10) + (s[end] - '0');
            end++;
        }

        var digits = end - start;
        if (digits == 0 || digits > 18 || (digits > 1 && s[start] == '0') || ((uint)end < (uint)s.Length && s[end] is (byte)'.' or (byte)'e' or (byte)'E'))
        {
            return false;
        }

        sequences.Add(negative ? -value : value);
        i = end;
        return true;
    }

    /// <summary>
    /// A time in the host's format (<see cref="TryParseUtc"/>); other forms are left to the general reader. The times of a
    /// batch share their date, so the day of the previous time is kept and only the time of day is read when the date is the same.
    /// </summary>
    private bool ReadTime(ReadOnlySpan<byte> s, ref int i)
    {
        if (!At(s, i, '"'))
        {
            return false;
        }

        var close = s[(i + 1)..].IndexOf((byte)'"');
        if (close < 0 || !TryTimeShape(s.Slice(i, close + 2), out var text))
        {
            return false;
        }

        if (!text[..10].SequenceEqual(lastDate.AsSpan(0, lastDateLength)))
        {
            if (!TryDate(text, out lastDay))
            {
                return false;
            }

            text[..10].CopyTo(lastDate);
            lastDateLength = 10;
        }

        if (!TryTimeOfDay(text, out var time))
        {
            return false;
        }

        times.Add(new DateTimeOffset(lastDay + time, TimeSpan.Zero));
        i += close + 2;
        return true;
    }

    /// <summary>A partition key: a string without escapes (interned as the general reader interns it) or null.</summary>
    private bool ReadKey(ReadOnlySpan<byte> s, ref int i)
    {
        if (TryLiteral(s, ref i, "null"u8))
        {
            keys.Add(null);
            return true;
        }

        if (!At(s, i, '"'))
        {
            return false;
        }

        var length = s[(i + 1)..].IndexOfAny(StringSpecials);
        if (length < 0 || s[i + 1 + length] != '"')
        {
            return false;
        }

        var text = s.Slice(i + 1, length);
        keys.Add(symbols is not null && text.Length is > 0 and <= MaxInternedLength ? symbols.Intern(text) : Encoding.UTF8.GetString(text));
        i += length + 2;
        return true;
    }

    /// <summary>
    /// One element of <c>PropertiesArray</c>: an object whose first member named <c>eventId</c>, <c>id</c> or
    /// <c>messageId</c> (any case) gives the event id when it is a string (without escapes) or a number; other values give none.
    /// </summary>
    private bool ReadEventId(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        if (!At(s, i, '{'))
        {
            ids.Add(null);
            return !At(s, i, '"') && SkipValue(s, ref i, depth);
        }

        string? id = null;
        var found = false;
        i = Ws(s, i + 1);
        if (At(s, i, '}'))
        {
            ids.Add(null);
            i++;
            return true;
        }

        while (true)
        {
            if (!TryReadName(s, ref i, out var name))
            {
                return false;
            }

            var start = i;
            if (!found && (Ascii.EqualsIgnoreCase(name, "eventId"u8) || Ascii.EqualsIgnoreCase(name, "id"u8) || Ascii.EqualsIgnoreCase(name, "messageId"u8)))
            {
                found = true;
                if (At(s, i, '"'))
                {
                    if (!ScanString(s, ref i, out var escaped) || escaped)
                    {
                        return false;
                    }

                    id = Encoding.UTF8.GetString(s[(start + 1)..(i - 1)]);
                }
                else if (s.Length > i && (s[i] == '-' || (uint)(s[i] - '0') <= 9))
                {
                    if (!ScanNumber(s, ref i))
                    {
                        return false;
                    }

                    id = Encoding.ASCII.GetString(s[start..i]);
                }
                else if (!SkipValue(s, ref i, depth + 1))
                {
                    return false;
                }
            }
            else if (!SkipValue(s, ref i, depth + 1))
            {
                return false;
            }

            i = Ws(s, i);
            if (At(s, i, '}'))
            {
                i++;
                ids.Add(id);
                return true;
            }

            if (!At(s, i, ','))
            {
                return false;
            }

            i = Ws(s, i + 1);
        }
    }

    /// <summary>A member name of plain printable ASCII (no escapes), then the colon.</summary>
    private static bool TryReadName(ReadOnlySpan<byte> s, ref int i, out ReadOnlySpan<byte> name)
    {
        name = default;
        if (!At(s, i, '"'))
        {
            return false;
        }

        var rest = s[(i + 1)..];
        var length = rest.IndexOfAny((byte)'"', (byte)'\\');
        if (length < 0 || rest[length] != '"' || rest[..length].IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
        {
            return false;
        }

        name = rest[..length];
        i = Ws(s, i + length + 2);
        if (!At(s, i, ':'))
        {
            return false;
        }

        i = Ws(s, i + 1);
        return true;
    }

    /// <summary>Checks any JSON value and moves past it.</summary>
    private static bool SkipValue(ReadOnlySpan<byte> s, ref int i, int depth)
    {
        if ((uint)i >= (uint)s.Length || depth > MaxDepth)
        {
            return false;
        }

        switch (s[i])
        {
            case (byte)'"':
                return ScanString(s, ref i, out _);
            case (byte)'{':
                i = Ws(s, i + 1);
                if (At(s, i, '}'))
                {
                    i++;
                    return true;
                }

                while (true)
                {
                    if (!ScanString(s, ref i, out _))
                    {
                        return false;
                    }

                    i = Ws(s, i);
                    if (!At(s, i, ':'))
                    {
                        return false;
                    }

                    i = Ws(s, i + 1);
                    if (!SkipValue(s, ref i, depth + 1))
                    {
                        return false;
                    }

                    i = Ws(s, i);
                    if (At(s, i, '}'))
                    {
                        i++;
                        return true;
                    }

                    if (!At(s, i, ','))
                    {
                        return false;
                    }

                    i = Ws(s, i + 1);
                }

            case (byte)'[':
                i = Ws(s, i + 1);
                if (At(s, i, ']'))
                {
                    i++;
                    return true;
                }

                while (true)
                {
                    if (!SkipValue(s, ref i, depth + 1))
                    {
                        return false;
                    }

                    i = Ws(s, i);
                    if (At(s, i, ']'))
                    {
                        i++;
                        return true;
                    }

                    if (!At(s, i, ','))
                    {
                        return false;
                    }

                    i = Ws(s, i + 1);
                }

            case (byte)'t':
                return TryLiteral(s, ref i, "true"u8);
            case (byte)'f':
                return TryLiteral(s, ref i, "false"u8);
            case (byte)'n':
                return TryLiteral(s, ref i, "null"u8);
            default:
                return ScanNumber(s, ref i);
        }
    }

    /// <summary>
    /// Checks a JSON string (escapes well formed, no control characters) and moves past it; <c>\u</c> escapes of
    /// surrogates give up (the general reader's decoding would refuse a lone one).
    /// </summary>
    private static bool ScanString(ReadOnlySpan<byte> s, ref int i, out bool escaped)
    {
        escaped = false;
        if (!At(s, i, '"'))
        {
            return false;
        }

        var p = i + 1;
        while (true)
        {
            p += PlainRun(s, p);
            if ((uint)p >= (uint)s.Length)
            {
                return false;
            }

            if (s[p] == '"')
            {
                i = p + 1;
                return true;
            }

            if (s[p] != '\\' || (uint)(p + 1) >= (uint)s.Length)
            {
                return false;
            }

            escaped = true;
            switch (s[p + 1])
            {
                case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                    p += 2;
                    break;
                case (byte)'u' when TryCodePoint(s, p + 2, "\\u"u8, out _, out var length):
                    p += 2 + length;
                    break;
                default:
                    return false;
            }
        }
    }

    /// <summary>Unescapes a JSON string (one level) into <paramref name="destination"/> at <paramref name="w"/>, checking it as <see cref="ScanString"/> does.</summary>
    private static bool UnescapeString(ReadOnlySpan<byte> s, ref int i, Span<byte> destination, ref int w)
    {
        if (!At(s, i, '"'))
        {
            return false;
        }

        var p = i + 1;
        while (true)
        {
            CopyPlain(s, ref p, destination, ref w);
            if ((uint)p >= (uint)s.Length)
            {
                return false;
            }

            if (s[p] == '"')
            {
                i = p + 1;
                return true;
            }

            if (s[p] != '\\' || (uint)(p + 1) >= (uint)s.Length)
            {
                return false;
            }

            p += 2;
            if (!Unescape(s, ref p, s[p - 1], "\\u"u8, destination, ref w))
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Writes what an escape's letter stands for as UTF-8. For <c>u</c>, the four hex digits at <paramref name="r"/>
    /// and, for a high surrogate, the low one's escape after them (<paramref name="nextEscape"/> is how that escape
    /// starts at this level: <c>\u</c>, or <c>\\u</c> inside the host's string).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Unescape(ReadOnlySpan<byte> s, ref int r, int letter, ReadOnlySpan<byte> nextEscape, Span<byte> destination, ref int w)
    {
        byte value;
        switch (letter)
        {
            case '"' or '\\' or '/':
                value = (byte)letter;
                break;
            case 'n':
                value = (byte)'\n';
                break;
            case 't':
                value = (byte)'\t';
                break;
            case 'r':
                value = (byte)'\r';
                break;
            case 'b':
                value = (byte)'\b';
                break;
            case 'f':
                value = (byte)'\f';
                break;
            case 'u' when TryCodePoint(s, r, nextEscape, out var rune, out var length):
                r += length;
                w += rune.EncodeToUtf8(destination[w..]);
                return true;
            default:
                return false;
        }

        destination[w++] = value;
        return true;
    }

    /// <summary>
    /// The character of a <c>\u</c> escape from its hex digits at <paramref name="start"/>: one that is not a surrogate,
    /// or a high surrogate whose low one follows at once (escaped as <paramref name="nextEscape"/> starts). A lone
    /// surrogate, which the general reader's decoding refuses, gives false. <paramref name="length"/> counts the bytes read.
    /// </summary>
    private static bool TryCodePoint(ReadOnlySpan<byte> s, int start, ReadOnlySpan<byte> nextEscape, out Rune rune, out int length)
    {
        rune = default;
        length = 4;
        if (!TryHex(s, start, out var code))
        {
            return false;
        }

        if (!char.IsSurrogate((char)code))
        {
            rune = new Rune(code);
            return true;
        }

        var low = start + 4 + nextEscape.Length;
        if (!char.IsHighSurrogate((char)code) || !s[(start + 4)..].StartsWith(nextEscape) || !TryHex(s, low, out var second) || !char.IsLowSurrogate((char)second))
        {
            return false;
        }

        rune = new Rune((char)code, (char)second);
        length = 8 + nextEscape.Length;
        return true;
    }

    /// <summary>How many bytes from <paramref name="p"/> on are plain string content: not a quote, a backslash or a control character.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PlainRun(ReadOnlySpan<byte> s, int p)
    {
        var start = p;
        while ((uint)(p + 8) <= (uint)s.Length)
        {
            var flags = Specials(MemoryMarshal.Read<ulong>(s[p..]));
            if (flags != 0)
            {
                return p - start + (BitOperations.TrailingZeroCount(flags) >> 3);
            }

            p += 8;
        }

        while ((uint)p < (uint)s.Length && s[p] >= 0x20 && s[p] != '"' && s[p] != '\\')
        {
            p++;
        }

        return p - start;
    }

    /// <summary>Copies the plain string content at <paramref name="r"/> (see <see cref="PlainRun"/>), eight bytes at a time where both sides have room.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPlain(ReadOnlySpan<byte> s, ref int r, Span<byte> destination, ref int w)
    {
        while ((uint)(r + 8) <= (uint)s.Length && (uint)(w + 8) <= (uint)destination.Length)
        {
            var word = MemoryMarshal.Read<ulong>(s[r..]);
            MemoryMarshal.Write(destination[w..], in word);
            var flags = Specials(word);
            if (flags != 0)
            {
                var plain = BitOperations.TrailingZeroCount(flags) >> 3;
                r += plain;
                w += plain;
                return;
            }

            r += 8;
            w += 8;
        }

        while ((uint)r < (uint)s.Length && s[r] >= 0x20 && s[r] != '"' && s[r] != '\\')
        {
            destination[w++] = s[r++];
        }
    }

    /// <summary>
    /// The high bit of each byte of <paramref name="word"/> that is a quote, a backslash or a control character, by the
    /// usual "has a zero byte" test on the word XOR-ed with the quote and with the backslash, and the "has a byte below"
    /// test for control characters. A false flag can only follow a true one, so the lowest flag is exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Specials(ulong word)
    {
        const ulong Ones = 0x0101010101010101UL;
        const ulong Highs = 0x8080808080808080UL;
        var quote = word ^ (Ones * '"');
        var backslash = word ^ (Ones * '\\');
        return (((quote - Ones) & ~quote) | ((backslash - Ones) & ~backslash) | ((word - (Ones * 0x20)) & ~word)) & Highs;
    }

    /// <summary>The four hex digits of a <c>\u</c> escape.</summary>
    private static bool TryHex(ReadOnlySpan<byte> s, int start, out int code)
    {
        code = 0;
        if ((uint)(start + 4) > (uint)s.Length || !Utf8Parser.TryParse(s.Slice(start, 4), out ushort value, out var used, 'x') || used != 4)
        {
            return false;
        }

        code = value;
        return true;
    }

    /// <summary>Checks a JSON number (<c>-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?</c>) and moves past it.</summary>
    private static bool ScanNumber(ReadOnlySpan<byte> s, ref int i)
    {
        var p = i;
        if (At(s, p, '-'))
        {
            p++;
        }

        if (At(s, p, '0'))
        {
            p++;
        }
        else if (!Digits(s, ref p))
        {
            return false;
        }

        if (At(s, p, '.'))
        {
            p++;
            if (!Digits(s, ref p))
            {
                return false;
            }
        }

        if ((uint)p < (uint)s.Length && s[p] is (byte)'e' or (byte)'E')
        {
            p++;
            if ((uint)p < (uint)s.Length && s[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            if (!Digits(s, ref p))
            {
                return false;
            }
        }

        i = p;
        return true;

        static bool Digits(ReadOnlySpan<byte> s, ref int p)
        {
            var start = p;
            while ((uint)p < (uint)s.Length && (uint)(s[p] - '0') <= 9)
            {
                p++;
            }

            return p > start;
        }
    }

    private static bool TryLiteral(ReadOnlySpan<byte> s, ref int i, ReadOnlySpan<byte> literal)
    {
        if (!s[i..].StartsWith(literal))
        {
            return false;
        }

        i += literal.Length;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool At(ReadOnlySpan<byte> s, int i, char c) => (uint)i < (uint)s.Length && s[i] == c;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Ws(ReadOnlySpan<byte> s, int i) => (uint)i < (uint)s.Length && s[i] > (byte)' ' ? i : WsSlow(s, i);

    private static int WsSlow(ReadOnlySpan<byte> s, int i)
    {
        while ((uint)i < (uint)s.Length && s[i] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            i++;
        }

        return i;
    }

    /// <summary>One value per event, kept between batches.</summary>
    private sealed class Column<T>
    {
        private T[] items = new T[256];

        public int Count { get; private set; }

        /// <summary>Whether the envelope names this array (a second time means another value for it).</summary>
        public bool Seen { get; set; }

        /// <summary>Whether the envelope carries this array (optional arrays may be absent or null).</summary>
        public bool Present { get; set; }

        public T this[int index] => items[index];

        public void Add(T item)
        {
            if (Count == items.Length)
            {
                Array.Resize(ref items, items.Length * 2);
            }

            items[Count++] = item;
        }

        public void Clear()
        {
            if (RuntimeHelpers.IsReferenceOrContainsReferences<T>())
            {
                Array.Clear(items, 0, Count);
            }

            Count = 0;
            Seen = Present = false;
        }
    }

    private enum Level
    {
        Envelope,
        Data,
        Metadata,
        PartitionContext,
    }
}
