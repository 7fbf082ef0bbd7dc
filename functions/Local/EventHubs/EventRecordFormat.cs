using System.Buffers;
using System.Buffers.Binary;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Text;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// The on-disk layout of the durable event log (all integers little-endian):
/// <code>
/// segment := header record*
/// header  := "SFEVLOG1" i64 firstSequenceNumber i64 firstOffset                      (24 bytes)
/// record  := u32 payloadLength u32 crc32(payload) payload
/// payload := i64 sequenceNumber i64 offset i64 enqueuedUtcTicks
///            i32 keyLength (−1: no key) key(UTF-8)
///            i32 propertyCount { i32 nameLength name(UTF-8) u8 kind value }*
///            i32 bodyLength body
/// kind    := 1 string (i32 length, UTF-8) | 2 int64 | 3 double (IEEE 754 bits) | 4 bool (1 byte)
/// </code>
/// The checksum (CRC-32, the IEEE polynomial of zip and Ethernet) covers the payload, so a record cut short or
/// half-written by a crash is recognised on reload.
/// </summary>
internal static class EventRecordFormat
{
    /// <summary>Bytes of a segment header.</summary>
    public const int HeaderBytes = 24;

    /// <summary>Bytes before a record's payload: its length and checksum.</summary>
    public const int RecordPrefixBytes = 8;

    /// <summary>The smallest payload: three numbers, no key, no properties, an empty body.</summary>
    public const int MinPayloadBytes = 8 + 8 + 8 + 4 + 4 + 4;

    /// <summary>The largest payload accepted on reload (a 64 MiB body, the stand-in's largest request, plus room for properties).</summary>
    public const int MaxPayloadBytes = 80 * 1024 * 1024;

    private const byte KindString = 1;
    private const byte KindInt64 = 2;
    private const byte KindDouble = 3;
    private const byte KindBool = 4;

    private static readonly IReadOnlyDictionary<string, object> NoProperties = new ReadOnlyDictionary<string, object>(new Dictionary<string, object>());

    /// <summary>The eight bytes a segment starts with.</summary>
    public static ReadOnlySpan<byte> Magic => "SFEVLOG1"u8;

    /// <summary>Writes a segment header.</summary>
    /// <param name="destination">At least <see cref="HeaderBytes"/> bytes.</param>
    /// <param name="firstSequenceNumber">The sequence number of the segment's first record.</param>
    /// <param name="firstOffset">The offset of the segment's first record.</param>
    public static void WriteHeader(Span<byte> destination, long firstSequenceNumber, long firstOffset)
    {
        Magic.CopyTo(destination);
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], firstSequenceNumber);
        BinaryPrimitives.WriteInt64LittleEndian(destination[16..], firstOffset);
    }

    /// <summary>Reads a segment header.</summary>
    /// <param name="source">The first <see cref="HeaderBytes"/> bytes of the file.</param>
    /// <param name="firstSequenceNumber">The sequence number of the segment's first record.</param>
    /// <param name="firstOffset">The offset of the segment's first record.</param>
    /// <returns>False when the bytes are not a header of this format.</returns>
    public static bool TryReadHeader(ReadOnlySpan<byte> source, out long firstSequenceNumber, out long firstOffset)
    {
        firstSequenceNumber = 0;
        firstOffset = 0;
        if (source.Length < HeaderBytes || !source[..8].SequenceEqual(Magic))
        {
            return false;
        }

        firstSequenceNumber = BinaryPrimitives.ReadInt64LittleEndian(source[8..]);
        firstOffset = BinaryPrimitives.ReadInt64LittleEndian(source[16..]);
        return firstSequenceNumber >= 0 && firstOffset >= 0;
    }

    /// <summary>Appends one event as a record (prefix and payload).</summary>
    /// <param name="output">Where to write.</param>
    /// <param name="e">The event.</param>
    public static void Write(IBufferWriter<byte> output, LocalEvent e)
    {
        var key = e.PartitionKey is null ? 0 : Encoding.UTF8.GetByteCount(e.PartitionKey);
        var size = MinPayloadBytes + key + e.Body.Length;
        foreach (var (name, value) in e.Properties)
        {
            size += 4 + Encoding.UTF8.GetByteCount(name) + 1 + (value is string s ? 4 + Encoding.UTF8.GetByteCount(s) : value is bool ? 1 : 8);
        }

        var span = output.GetSpan(RecordPrefixBytes + size);
        var payload = span.Slice(RecordPrefixBytes, size);
        var at = 0;
        Int64(payload, ref at, e.SequenceNumber);
        Int64(payload, ref at, e.Offset);
        Int64(payload, ref at, e.EnqueuedTime.UtcTicks);
        if (e.PartitionKey is null)
        {
            Int32(payload, ref at, -1);
        }
        else
        {
            Text(payload, ref at, e.PartitionKey);
        }

        Int32(payload, ref at, e.Properties.Count);
        foreach (var (name, value) in e.Properties)
        {
            Text(payload, ref at, name);
            switch (value)
            {
                case string s:
                    payload[at++] = KindString;
                    Text(payload, ref at, s);
                    break;
                case bool b:
                    payload[at++] = KindBool;
                    payload[at++] = b ? (byte)1 : (byte)0;
                    break;
                case double or float or decimal:
                    payload[at++] = KindDouble;
                    BinaryPrimitives.WriteDoubleLittleEndian(payload[at..], Convert.ToDouble(value, CultureInfo.InvariantCulture));
                    at += 8;
                    break;
                case ulong big when big > long.MaxValue:
                    payload[at++] = KindDouble;
                    BinaryPrimitives.WriteDoubleLittleEndian(payload[at..], big);
                    at += 8;
                    break;
                default:
                    payload[at++] = KindInt64;
                    Int64(payload, ref at, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                    break;
            }
        }

        Int32(payload, ref at, e.Body.Length);
        e.Body.Span.CopyTo(payload[at..]);
        at += e.Body.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Crc32.Compute(payload[..at]));
        output.Advance(RecordPrefixBytes + size);
    }

    /// <summary>Decodes a payload whose checksum matched.</summary>
    /// <param name="payload">The payload.</param>
    /// <param name="hub">The hub's name, as configured.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="stored">The event.</param>
    /// <param name="error">What is wrong with the payload, when it cannot be decoded.</param>
    /// <returns>True when decoded.</returns>
    public static bool TryRead(ReadOnlySpan<byte> payload, string hub, int partitionId, out LocalEvent? stored, out string? error)
    {
        stored = null;
        var at = 0;
        if (!TryInt64(payload, ref at, out var sequence) || !TryInt64(payload, ref at, out var offset) || !TryInt64(payload, ref at, out var ticks))
        {
            error = "the record is shorter than its fixed fields";
            return false;
        }

        if (sequence < 0 || offset < 0 || ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"sequence number {sequence}, offset {offset} or enqueued time {ticks} is out of range");
            return false;
        }

        if (!TryInt32(payload, ref at, out var keyLength))
        {
            error = "the partition key's length is missing";
            return false;
        }

        string? key = null;
        if (keyLength != -1)
        {
            if (keyLength < 0 || at + keyLength > payload.Length)
            {
                error = "the partition key runs past the end of the record";
                return false;
            }

            key = Encoding.UTF8.GetString(payload.Slice(at, keyLength));
            at += keyLength;
        }

        if (!TryInt32(payload, ref at, out var count) || count < 0 || count > payload.Length)
        {
            error = "the property count is missing or out of range";
            return false;
        }

        var properties = count == 0 ? NoProperties : null;
        Dictionary<string, object>? map = count == 0 ? null : new Dictionary<string, object>(count, StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            if (!TryText(payload, ref at, out var name) || at >= payload.Length)
            {
                error = string.Create(CultureInfo.InvariantCulture, $"property {i} runs past the end of the record");
                return false;
            }

            var kind = payload[at++];
            object value;
            switch (kind)
            {
                case KindString when TryText(payload, ref at, out var text):
                    value = text;
                    break;
                case KindInt64 when TryInt64(payload, ref at, out var whole):
                    value = whole;
                    break;
                case KindDouble when at + 8 <= payload.Length:
                    value = BinaryPrimitives.ReadDoubleLittleEndian(payload[at..]);
                    at += 8;
                    break;
                case KindBool when at < payload.Length:
                    value = payload[at++] != 0;
                    break;
                default:
                    error = string.Create(CultureInfo.InvariantCulture, $"property '{name}' has kind {kind} or runs past the end of the record");
                    return false;
            }

            map![name] = value;
        }

        if (!TryInt32(payload, ref at, out var bodyLength) || bodyLength < 0 || at + bodyLength != payload.Length)
        {
            error = "the body's length does not match the record's";
            return false;
        }

        properties ??= new ReadOnlyDictionary<string, object>(map!);
        stored = new LocalEvent(hub, partitionId, sequence, offset, new DateTimeOffset(ticks, TimeSpan.Zero), key, payload.Slice(at, bodyLength).ToArray(), properties);
        error = null;
        return true;
    }

    private static void Int64(Span<byte> span, ref int at, long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(span[at..], value);
        at += 8;
    }

    private static void Int32(Span<byte> span, ref int at, int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(span[at..], value);
        at += 4;
    }

    private static void Text(Span<byte> span, ref int at, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, span[(at + 4)..]);
        Int32(span, ref at, length);
        at += length;
    }

    private static bool TryInt64(ReadOnlySpan<byte> span, ref int at, out long value)
    {
        value = 0;
        if (at + 8 > span.Length)
        {
            return false;
        }

        value = BinaryPrimitives.ReadInt64LittleEndian(span[at..]);
        at += 8;
        return true;
    }

    private static bool TryInt32(ReadOnlySpan<byte> span, ref int at, out int value)
    {
        value = 0;
        if (at + 4 > span.Length)
        {
            return false;
        }

        value = BinaryPrimitives.ReadInt32LittleEndian(span[at..]);
        at += 4;
        return true;
    }

    private static bool TryText(ReadOnlySpan<byte> span, ref int at, out string value)
    {
        value = string.Empty;
        if (!TryInt32(span, ref at, out var length) || length < 0 || at + length > span.Length)
        {
            return false;
        }

        value = Encoding.UTF8.GetString(span.Slice(at, length));
        at += length;
        return true;
    }
}

/// <summary>CRC-32 with the IEEE polynomial (reflected, 0xEDB88320), as zip and Ethernet use it.</summary>
internal static class Crc32
{
    private static readonly uint[] Table = CreateTable();

    /// <summary>The checksum of some bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC-32.</returns>
    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
