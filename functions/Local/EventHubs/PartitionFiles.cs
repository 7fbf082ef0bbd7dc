using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;

namespace SigmaFlow.Functions.Local.EventHubs;

/// <summary>
/// One partition of the durable log on disk: append-only segment files named by their first sequence number
/// (<c>00000000000000001000.events</c>), each starting with a header (<see cref="EventRecordFormat"/>). Appends are
/// written to the operating system before they return (so they survive a crash or kill of the process) and go to
/// the newest segment; a full segment is closed and a new one started, and the oldest segments are deleted once the
/// newer ones hold the partition's retention. Reloading checks every record (checksum, sequence numbers, offsets,
/// enqueued times); a record cut short or half-written at the end of the newest segment — a crash while writing —
/// is dropped and reported; damage anywhere else fails with the file and byte. Not thread-safe: the log calls it under
/// the partition's lock.
/// </summary>
internal sealed class PartitionFiles : IDisposable
{
    /// <summary>Extension of segment files.</summary>
    public const string Extension = ".events";

    private readonly string folder;
    private readonly string label;
    private readonly int retain;
    private readonly int segmentEvents;
    private readonly List<Segment> segments;
    private readonly ArrayBufferWriter<byte> buffer = new(4096);
    private FileStream? newest;
    private long retained;
    private string? failure;

    private PartitionFiles(string folder, string label, int retain, List<Segment> segments, long retained)
    {
        this.folder = folder;
        this.label = label;
        this.retain = retain;
        segmentEvents = SegmentEvents(retain);
        this.segments = segments;
        this.retained = retained;
    }

    /// <summary>Events per segment file for a retention: a quarter of it (at least 1, at most 65,536), so the files hold at most 25 % more than the retention.</summary>
    /// <param name="retain">Events a partition retains.</param>
    /// <returns>The segment size in events.</returns>
    public static int SegmentEvents(int retain) => Math.Clamp(retain / 4, 1, 65_536);

    /// <summary>The file name of the segment starting at a sequence number.</summary>
    /// <param name="firstSequenceNumber">Its first sequence number.</param>
    /// <returns>The name.</returns>
    public static string SegmentName(long firstSequenceNumber) => firstSequenceNumber.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    /// <summary>
    /// Opens a partition's folder (creating it), hands every stored event to <paramref name="restore"/> in order, and
    /// returns the files ready for appending. A torn record at the end of the newest segment is cut off and described
    /// in <paramref name="repairs"/>.
    /// </summary>
    /// <param name="folder">The partition's folder.</param>
    /// <param name="hub">The hub's configured name.</param>
    /// <param name="partitionId">The partition.</param>
    /// <param name="retain">Events the partition retains.</param>
    /// <param name="restore">Receives the stored events in sequence order.</param>
    /// <param name="next">The sequence number and offset the next event gets.</param>
    /// <param name="repairs">Receives a line per torn record dropped.</param>
    /// <returns>The files.</returns>
    /// <exception cref="InvalidDataException">A file is damaged other than by a torn last record; the message names the file, the byte and the rule.</exception>
    /// <exception cref="IOException">The folder or a file cannot be read or written.</exception>
    public static PartitionFiles Open(string folder, string hub, int partitionId, int retain, Action<LocalEvent> restore, out (long SequenceNumber, long Offset) next, ICollection<string> repairs)
    {
        Directory.CreateDirectory(folder);
        foreach (var leftover in Directory.EnumerateFiles(folder, "*" + Extension + ".tmp"))
        {
            File.Delete(leftover); // a segment whose creation was cut short: it was never written to
        }

        var found = new List<(long First, string Path)>();
        foreach (var file in Directory.EnumerateFiles(folder, "*" + Extension))
        {
            var stem = Path.GetFileNameWithoutExtension(file);
            if (stem.Length != 20 || !long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out var first))
            {
                throw Damaged(file, 0, "its name is not a 20-digit sequence number, so it is not a segment of this log");
            }

            found.Add((first, file));
        }

        found.Sort((a, b) => a.First.CompareTo(b.First));
        var label = string.Create(CultureInfo.InvariantCulture, $"{hub}/{partitionId}");
        var segments = new List<Segment>(found.Count + 1);
        long? sequence = null;
        long? offset = null;
        DateTimeOffset? lastEnqueued = null;
        long retained = 0;
        var prefix = new byte[EventRecordFormat.RecordPrefixBytes];
        var header = new byte[EventRecordFormat.HeaderBytes];
        for (var i = 0; i < found.Count; i++)
        {
            var (first, path) = found[i];
            var isNewest = i == found.Count - 1;
            using var stream = new FileStream(path, FileMode.Open, isNewest ? FileAccess.ReadWrite : FileAccess.Read, FileShare.Read, 1 << 16);
            if (stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length
                || !EventRecordFormat.TryReadHeader(header, out var headerSequence, out var headerOffset))
            {
                throw Damaged(path, 0, "it does not start with the log's header");
            }

            if (headerSequence != first)
            {
                throw Damaged(path, 0, string.Create(CultureInfo.InvariantCulture, $"its header says its first sequence number is {headerSequence} but its name says {first}"));
            }

            if (sequence is { } expectedSequence && first != expectedSequence)
            {
                throw Damaged(path, 0, string.Create(CultureInfo.InvariantCulture, $"it starts at sequence number {first} but the segment before it ends at {expectedSequence - 1}"));
            }

            if (offset is { } expectedOffset && headerOffset != expectedOffset)
            {
                throw Damaged(path, 0, string.Create(CultureInfo.InvariantCulture, $"it starts at offset {headerOffset} but the segment before it ends at offset {expectedOffset}"));
            }

            sequence = first;
            offset = headerOffset;
            var segment = new Segment(first, path);
            long position = EventRecordFormat.HeaderBytes;
            while (position < stream.Length)
            {
                var torn = ReadRecord(stream, prefix, hub, partitionId, out var stored, out var recordBytes, out var damage);
                if (damage is not null)
                {
                    throw Damaged(path, position, damage);
                }

                if (torn is not null)
                {
                    if (!isNewest)
                    {
                        throw Damaged(path, position, torn + "; only the newest segment may end in a record cut short by a crash, so this file was damaged in another way");
                    }

                    var dropped = stream.Length - position;
                    stream.SetLength(position);
                    repairs.Add(string.Create(CultureInfo.InvariantCulture, $"{label}: dropped a torn record at byte {position} of {Path.GetFileName(path)} ({dropped} bytes; {torn}): it was being written when the log last stopped, so its send was never acknowledged"));
                    break;
                }

                var e = stored!;
                string? wrong = e.SequenceNumber != sequence ? $"it has sequence number {e.SequenceNumber}; the one before it was {sequence - 1}"
                    : e.Offset != offset ? $"it has offset {e.Offset}; expected {offset}"
                    : lastEnqueued is { } last && e.EnqueuedTime < last ? $"it was enqueued at {e.EnqueuedTime:O}, before the event before it ({last:O})"
                    : null;
                if (wrong is not null)
                {
                    throw Damaged(path, position, wrong);
                }

                restore(e);
                segment.Count++;
                retained++;
                sequence++;
                offset += Math.Max(1, e.Body.Length);
                lastEnqueued = e.EnqueuedTime;
                position += recordBytes;
            }

            segments.Add(segment);
        }

        next = (sequence ?? 0, offset ?? 0);
        var files = new PartitionFiles(folder, label, retain, segments, retained);
        try
        {
            if (segments.Count == 0)
            {
                files.newest = CreateSegment(folder, next.SequenceNumber, next.Offset);
                segments.Add(new Segment(next.SequenceNumber, Path.Combine(folder, SegmentName(next.SequenceNumber))));
            }
            else
            {
                files.newest = new FileStream(segments[^1].Path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
                files.newest.Seek(0, SeekOrigin.End);
            }

            files.Prune();
            return files;
        }
        catch
        {
            files.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes events (the next ones of the partition, in order) to the newest segment before returning, starting a new
    /// segment first when it is full. A failed write is undone, so the file never holds half a request.
    /// </summary>
    /// <param name="events">The events.</param>
    /// <exception cref="IOException">The write failed (nothing of it is kept), or an earlier failure could not be undone.</exception>
    /// <exception cref="ObjectDisposedException">The files were closed.</exception>
    public void Append(List<LocalEvent> events)
    {
        ObjectDisposedException.ThrowIf(newest is null, this);
        if (failure is not null)
        {
            throw new IOException(failure);
        }

        if (segments[^1].Count >= segmentEvents)
        {
            TryRoll(events[0].SequenceNumber, events[0].Offset);
        }

        buffer.ResetWrittenCount();
        foreach (var e in events)
        {
            EventRecordFormat.Write(buffer, e);
        }

        var before = newest.Position;
        try
        {
            newest.Write(buffer.WrittenSpan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                newest.SetLength(before);
                newest.Position = before;
            }
            catch (Exception again) when (again is IOException or UnauthorizedAccessException)
            {
                failure = $"the event log file {segments[^1].Path} could not be restored after a failed write ({again.Message}); restart serve, which drops the partial record";
            }

            throw;
        }

        segments[^1].Count += events.Count;
        retained += events.Count;
        if (buffer.Capacity > 4 << 20)
        {
            buffer.Clear(); // do not keep a huge buffer after one large request
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        newest?.Dispose();
        newest = null;
    }

    /// <inheritdoc />
    public override string ToString() => $"{label} in {folder}";

    private static FileStream CreateSegment(string folder, long firstSequenceNumber, long firstOffset)
    {
        var path = Path.Combine(folder, SegmentName(firstSequenceNumber));
        var temporary = path + ".tmp";
        var header = new byte[EventRecordFormat.HeaderBytes];
        EventRecordFormat.WriteHeader(header, firstSequenceNumber, firstOffset);
        using (var create = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            create.Write(header);
            create.Flush(flushToDisk: true);
        }

        // The rename makes the segment appear whole: a crash leaves either no file or one with its full header.
        File.Move(temporary, path);
        try
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read, bufferSize: 0);
            stream.Seek(0, SeekOrigin.End);
            return stream;
        }
        catch
        {
            File.Delete(path);
            throw;
        }
    }

    /// <summary>Reads one record; returns why it is torn (cut short, bad length or checksum) or sets <paramref name="damage"/> when it is whole but wrong.</summary>
    private static string? ReadRecord(FileStream stream, byte[] prefix, string hub, int partitionId, out LocalEvent? stored, out long recordBytes, out string? damage)
    {
        stored = null;
        recordBytes = 0;
        damage = null;
        var read = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        if (read < prefix.Length)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its length and checksum are cut short ({read} of {prefix.Length} bytes)");
        }

        var size = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        var checksum = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(4));
        if (size is < EventRecordFormat.MinPayloadBytes or > EventRecordFormat.MaxPayloadBytes)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its length field says {size} bytes, outside {EventRecordFormat.MinPayloadBytes}–{EventRecordFormat.MaxPayloadBytes}");
        }

        var payload = ArrayPool<byte>.Shared.Rent((int)size);
        try
        {
            read = stream.ReadAtLeast(payload.AsSpan(0, (int)size), (int)size, throwOnEndOfStream: false);
            if (read < size)
            {
                return string.Create(CultureInfo.InvariantCulture, $"it is cut short ({read} of {size} bytes)");
            }

            if (Crc32.Compute(payload.AsSpan(0, (int)size)) != checksum)
            {
                return "its checksum does not match its content";
            }

            if (!EventRecordFormat.TryRead(payload.AsSpan(0, (int)size), hub, partitionId, out stored, out var error))
            {
                damage = $"the record's checksum matches but it cannot be read: {error}";
                return null;
            }

            recordBytes = EventRecordFormat.RecordPrefixBytes + size;
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
    }

    private static InvalidDataException Damaged(string path, long position, string rule) => new(string.Create(
        CultureInfo.InvariantCulture,
        $"event log file {path}, byte {position}: {rule}. The log cannot be reloaded safely; move its folder away (or delete it) to start a new log."));

    /// <summary>Closes the newest segment and starts the next; on failure keeps writing to the current one and tries again next time.</summary>
    private void TryRoll(long firstSequenceNumber, long firstOffset)
    {
        FileStream next;
        try
        {
            next = CreateSegment(folder, firstSequenceNumber, firstOffset);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return;
        }

        newest!.Dispose();
        newest = next;
        segments.Add(new Segment(firstSequenceNumber, Path.Combine(folder, SegmentName(firstSequenceNumber))));
        Prune();
    }

    /// <summary>Deletes the oldest segments while the newer ones still hold the retention (never the newest).</summary>
    private void Prune()
    {
        while (segments.Count > 1 && retained - segments[0].Count >= retain)
        {
            try
            {
                File.Delete(segments[0].Path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return; // tried again after the next roll
            }

            retained -= segments[0].Count;
            segments.RemoveAt(0);
        }
    }

    private sealed class Segment(long first, string path)
    {
        public long First { get; } = first;

        public string Path { get; } = path;

        public long Count { get; set; }
    }
}
