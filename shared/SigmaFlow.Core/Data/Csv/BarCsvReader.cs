using System.Globalization;

namespace SigmaFlow.Core.Data;

/// <summary>
/// Loads OHLCV bars from CSV text. The domain never opens files: hosts pass a <see cref="TextReader"/> (or the text).
/// </summary>
/// <remarks>
/// <para>
/// Header: names in any case, trimmed, in any order; the time column is the first of <c>date</c>, <c>timestamp</c>,
/// <c>time</c> or <c>datetime</c>; <c>open</c>, <c>high</c>, <c>low</c> and <c>close</c> are required; <c>volume</c> is
/// optional (0 when absent, with a note in the report); other columns are ignored. A leading UTF-8 byte order mark is
/// dropped. Fields are separated by commas and may be wrapped in double quotes (without commas inside).
/// </para>
/// <para>
/// Times: ISO 8601 dates (<c>2017-01-03</c>) and date-times (<c>2020-12-15 09:30</c>, <c>2020-12-15T09:30:00Z</c>,
/// <c>2020-12-15T09:30:00+02:00</c>, converted to UTC), US dates <c>M/D/YYYY</c> and <c>MM/DD/YY</c> (years below 50 are
/// 20yy, others 19yy) with an optional <c>HH:mm[:ss]</c> and AM/PM, and Unix integers (absolute value ≥ 1e11 is
/// milliseconds, otherwise seconds). Times without an offset are UTC.
/// </para>
/// <para>
/// Each bad row yields one <see cref="BarProblem"/> (the first rule it breaks, in the order of
/// <see cref="BarProblemKind"/>); duplicate and out-of-order times are judged against the last accepted row.
/// </para>
/// </remarks>
public static class BarCsvReader
{
    private const int TimeField = 0;
    private const int OpenField = 1;
    private const int HighField = 2;
    private const int LowField = 3;
    private const int CloseField = 4;
    private const int VolumeField = 5;
    private const int FieldCount = 6;

    private static readonly string[] TimeNames = ["date", "timestamp", "time", "datetime"];
    private static readonly string[] FieldNames = ["time", "open", "high", "low", "close", "volume"];

    /// <summary>Loads bars from CSV content (the text itself, not a file path).</summary>
    /// <param name="csvText">The CSV content.</param>
    /// <param name="options">Settings; <see cref="BarLoadOptions.Default"/> when null.</param>
    /// <returns>The bars, the problems and a quality report.</returns>
    public static BarLoadResult Read(string csvText, BarLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(csvText);
        using var reader = new StringReader(csvText);
        return Read(reader, options);
    }

    /// <summary>Loads bars from a reader positioned at the header line. The reader is not disposed.</summary>
    /// <param name="reader">The CSV input.</param>
    /// <param name="options">Settings; <see cref="BarLoadOptions.Default"/> when null.</param>
    /// <returns>The bars, the problems and a quality report.</returns>
    public static BarLoadResult Read(TextReader reader, BarLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= BarLoadOptions.Default;
        options.Validate();

        var log = new ProblemLog(options.MaxProblems);
        var notes = new List<string>();
        var lines = new CsvLineReader(reader);
        if (!lines.TryReadLine(out var headerLine))
        {
            log.Add(1, BarProblemKind.MissingColumn, "row 1: the input is empty; expected a header with date, open, high, low, close and optionally volume");
            return Finish(options, log, notes, new BarSeriesBuilder(4), 0, 0);
        }

        if (!headerLine.IsEmpty && headerLine[0] == '\uFEFF')
        {
            headerLine = headerLine[1..];
        }

        var roles = MapHeader(headerLine, out var columnCount, out var timeName, out var missing, out var found);
        if (missing.Count > 0)
        {
            log.Add(1, BarProblemKind.MissingColumn, string.Create(
                CultureInfo.InvariantCulture,
                $"row 1: the header lacks the required column(s) {string.Join(", ", missing)}; found: {(found.Count == 0 ? "nothing" : string.Join(", ", found))}"));
            return Finish(options, log, notes, new BarSeriesBuilder(4), 0, 0);
        }

        var hasVolume = Array.IndexOf(roles, VolumeField) >= 0;
        if (!hasVolume)
        {
            notes.Add("no volume column; volume set to 0");
        }

        var builder = new BarSeriesBuilder(4096);
        Span<int> fieldStart = stackalloc int[FieldCount];
        Span<int> fieldLength = stackalloc int[FieldCount];
        Span<double> values = stackalloc double[FieldCount];
        var row = 1;
        var rowsRead = 0;
        var rowsSkipped = 0;
        var pendingBlankRows = 0;
        var lastAcceptedRow = 0;
        var lastTime = long.MinValue;

        while (lines.TryReadLine(out var line))
        {
            row++;
            var fields = SplitRow(line, roles, fieldStart, fieldLength, out var nonEmpty);
            if (!nonEmpty)
            {
                // Held back until a later non-blank row shows this blank line is not trailing.
                pendingBlankRows++;
                continue;
            }

            for (var blankRow = row - pendingBlankRows; blankRow < row; blankRow++)
            {
                rowsRead++;
                rowsSkipped++;
                log.Add(blankRow, BarProblemKind.BlankRow, string.Create(CultureInfo.InvariantCulture, $"row {blankRow}: blank row"));
            }

            pendingBlankRows = 0;
            rowsRead++;

            if (fields != columnCount)
            {
                rowsSkipped++;
                log.Add(row, BarProblemKind.WrongColumnCount, string.Create(
                    CultureInfo.InvariantCulture,
                    $"row {row}: expected {columnCount} columns as in the header, found {fields}"));
                continue;
            }

            var timeText = line.Slice(fieldStart[TimeField], fieldLength[TimeField]);
            if (!UnixTimeText.TryParse(timeText, out var time))
            {
                rowsSkipped++;
                if (log.Storing)
                {
                    log.Add(row, BarProblemKind.UnparsableTime, timeText.IsEmpty
                        ? string.Create(CultureInfo.InvariantCulture, $"row {row}: {timeName} is empty")
                        : string.Create(CultureInfo.InvariantCulture, $"row {row}: {timeName} '{timeText}' is not a recognised time (expected e.g. 2017-01-03, 2020-12-15T09:30:00Z, 1/3/2017 or Unix seconds)"));
                }
                else
                {
                    log.Count(BarProblemKind.UnparsableTime);
                }

                continue;
            }

            if (!ParseNumbers(line, fieldStart, fieldLength, hasVolume, values, out var badField))
            {
                rowsSkipped++;
                if (log.Storing)
                {
                    var text = line.Slice(fieldStart[badField], fieldLength[badField]);
                    log.Add(row, BarProblemKind.UnparsableNumber, text.IsEmpty
                        ? string.Create(CultureInfo.InvariantCulture, $"row {row}: {FieldNames[badField]} is empty; expected a number")
                        : string.Create(CultureInfo.InvariantCulture, $"row {row}: {FieldNames[badField]} '{text}' is not a number"));
                }
                else
                {
                    log.Count(BarProblemKind.UnparsableNumber);
                }

                continue;
            }

            var kind = CheckValues(values, time, lastTime, out badField);
            if (kind is { } problem)
            {
                rowsSkipped++;
                if (log.Storing)
                {
                    log.Add(row, problem, Describe(problem, row, line, fieldStart, fieldLength, badField, values, timeName, time, lastTime, lastAcceptedRow));
                }
                else
                {
                    log.Count(problem);
                }

                continue;
            }

            builder.Add(new Ohlcv(time, values[OpenField], values[HighField], values[LowField], values[CloseField], values[VolumeField]));
            lastTime = time;
            lastAcceptedRow = row;
        }

        if (pendingBlankRows > 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"{pendingBlankRows} blank line(s) at the end of the input ignored"));
        }

        return Finish(options, log, notes, builder, rowsRead, rowsSkipped);
    }

    private static BarLoadResult Finish(BarLoadOptions options, ProblemLog log, List<string> notes, BarSeriesBuilder builder, int rowsRead, int rowsSkipped)
    {
        var accepted = builder.Build(options.Symbol);
        var success = log.Total == 0 || (options.SkipBadRows && accepted.Count > 0);
        var quality = new DataQualityReport(rowsRead, accepted.Count, rowsSkipped, log.Counts, notes, accepted.Time);
        return new BarLoadResult(success, success ? accepted : BarSeries.Empty, log.Problems, quality, options.Symbol);
    }

    /// <summary>Maps each header column to a field role (or -1) and lists the required columns that are missing.</summary>
    private static int[] MapHeader(ReadOnlySpan<char> header, out int columnCount, out string timeName, out List<string> missing, out List<string> found)
    {
        var names = new List<string>();
        foreach (var range in header.Split(','))
        {
            names.Add(new string(Unquote(header[range])));
        }

        columnCount = names.Count;
        found = [];
        foreach (var name in names)
        {
            if (name.Length > 0)
            {
                found.Add(name);
            }
        }

        var roles = new int[names.Count];
        Array.Fill(roles, -1);
        timeName = TimeNames[0];
        var timeColumn = -1;
        for (var i = 0; i < names.Count && timeColumn < 0; i++)
        {
            foreach (var candidate in TimeNames)
            {
                if (string.Equals(names[i], candidate, StringComparison.OrdinalIgnoreCase))
                {
                    timeColumn = i;
                    timeName = candidate;
                    roles[i] = TimeField;
                    break;
                }
            }
        }

        missing = [];
        if (timeColumn < 0)
        {
            missing.Add("date (or timestamp, time, datetime)");
        }

        for (var field = OpenField; field <= VolumeField; field++)
        {
            var column = -1;
            for (var i = 0; i < names.Count; i++)
            {
                if (roles[i] < 0 && string.Equals(names[i], FieldNames[field], StringComparison.OrdinalIgnoreCase))
                {
                    column = i;
                    break;
                }
            }

            if (column >= 0)
            {
                roles[column] = field;
            }
            else if (field != VolumeField)
            {
                missing.Add(FieldNames[field]);
            }
        }

        return roles;
    }

    /// <summary>Splits a row, recording where the mapped fields lie; returns the field count.</summary>
    private static int SplitRow(ReadOnlySpan<char> line, int[] roles, Span<int> fieldStart, Span<int> fieldLength, out bool nonEmpty)
    {
        nonEmpty = false;
        var count = 0;
        var position = 0;
        while (true)
        {
            var rest = line[position..];
            var comma = rest.IndexOf(',');
            var raw = comma < 0 ? rest : rest[..comma];
            var field = Unquote(raw, out var offset);
            if (!field.IsEmpty)
            {
                nonEmpty = true;
            }

            if (count < roles.Length && roles[count] >= 0)
            {
                fieldStart[roles[count]] = position + offset;
                fieldLength[roles[count]] = field.Length;
            }

            count++;
            if (comma < 0)
            {
                return count;
            }

            position += comma + 1;
        }
    }

    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> raw) => Unquote(raw, out _);

    /// <summary>Trims white space and one pair of surrounding double quotes; reports where the result starts in <paramref name="raw"/>.</summary>
    private static ReadOnlySpan<char> Unquote(ReadOnlySpan<char> raw, out int offset)
    {
        var start = 0;
        var end = raw.Length;
        while (start < end && char.IsWhiteSpace(raw[start]))
        {
            start++;
        }

        while (end > start && char.IsWhiteSpace(raw[end - 1]))
        {
            end--;
        }

        if (end - start >= 2 && raw[start] == '"' && raw[end - 1] == '"')
        {
            start++;
            end--;
            while (start < end && char.IsWhiteSpace(raw[start]))
            {
                start++;
            }

            while (end > start && char.IsWhiteSpace(raw[end - 1]))
            {
                end--;
            }
        }

        offset = start;
        return raw[start..end];
    }

    private static bool ParseNumbers(ReadOnlySpan<char> line, ReadOnlySpan<int> fieldStart, ReadOnlySpan<int> fieldLength, bool hasVolume, Span<double> values, out int badField)
    {
        var last = hasVolume ? VolumeField : CloseField;
        values[VolumeField] = 0;
        for (var field = OpenField; field <= last; field++)
        {
            var text = line.Slice(fieldStart[field], fieldLength[field]);
            if (!CsvNumber.TryParse(text, out values[field]))
            {
                badField = field;
                return false;
            }
        }

        badField = -1;
        return true;
    }

    /// <summary>The first value or order rule the row breaks, or null.</summary>
    private static BarProblemKind? CheckValues(ReadOnlySpan<double> values, long time, long lastTime, out int badField)
    {
        for (var field = OpenField; field <= CloseField; field++)
        {
            if (!(values[field] > 0) || double.IsInfinity(values[field]))
            {
                badField = field;
                return BarProblemKind.NonPositivePrice;
            }
        }

        badField = VolumeField;
        var volume = values[VolumeField];
        if (!(volume >= 0) || double.IsInfinity(volume))
        {
            return BarProblemKind.NegativeVolume;
        }

        var high = values[HighField];
        var low = values[LowField];
        if (high < low)
        {
            badField = HighField;
            return BarProblemKind.HighBelowLow;
        }

        if (values[OpenField] < low || values[OpenField] > high)
        {
            badField = OpenField;
            return BarProblemKind.OpenOutsideRange;
        }

        if (values[CloseField] < low || values[CloseField] > high)
        {
            badField = CloseField;
            return BarProblemKind.CloseOutsideRange;
        }

        badField = TimeField;
        if (time == lastTime)
        {
            return BarProblemKind.DuplicateTime;
        }

        return time < lastTime ? BarProblemKind.OutOfOrderTime : null;
    }

    private static string Describe(
        BarProblemKind kind,
        int row,
        ReadOnlySpan<char> line,
        ReadOnlySpan<int> fieldStart,
        ReadOnlySpan<int> fieldLength,
        int badField,
        ReadOnlySpan<double> values,
        string timeName,
        long time,
        long lastTime,
        int lastAcceptedRow)
    {
        var ci = CultureInfo.InvariantCulture;
        var name = badField == TimeField ? timeName : FieldNames[badField];
        var text = line.Slice(fieldStart[badField], fieldLength[badField]);
        var high = line.Slice(fieldStart[HighField], fieldLength[HighField]);
        var low = line.Slice(fieldStart[LowField], fieldLength[LowField]);
        return kind switch
        {
            BarProblemKind.NonPositivePrice => double.IsFinite(values[badField])
                ? string.Create(ci, $"row {row}: {name} {text} must be greater than 0")
                : string.Create(ci, $"row {row}: {name} {text} must be a finite number greater than 0"),
            BarProblemKind.NegativeVolume => double.IsFinite(values[VolumeField])
                ? string.Create(ci, $"row {row}: volume {text} must not be negative")
                : string.Create(ci, $"row {row}: volume {text} must be a finite number of at least 0"),
            BarProblemKind.HighBelowLow => string.Create(ci, $"row {row}: high {high} is below low {low}"),
            BarProblemKind.OpenOutsideRange or BarProblemKind.CloseOutsideRange =>
                string.Create(ci, $"row {row}: {name} {text} is outside the bar's range [low {low}, high {high}]"),
            BarProblemKind.DuplicateTime =>
                string.Create(ci, $"row {row}: {name} {text} ({UnixTimeText.Format(time)}) repeats the time of row {lastAcceptedRow}, the last accepted row"),
            _ => string.Create(ci, $"row {row}: {name} {text} ({UnixTimeText.Format(time)}) is earlier than {UnixTimeText.Format(lastTime)} of row {lastAcceptedRow}, the last accepted row"),
        };
    }

    /// <summary>Counts every problem and stores the first <c>capacity</c> of them.</summary>
    private sealed class ProblemLog(int capacity)
    {
        private readonly List<BarProblem> problems = [];

        public int[] Counts { get; } = new int[Enum.GetValues<BarProblemKind>().Length];

        public IReadOnlyList<BarProblem> Problems => problems;

        public int Total { get; private set; }

        /// <summary>True while a further problem would still be stored (so its message is worth building).</summary>
        public bool Storing => problems.Count < capacity;

        public void Count(BarProblemKind kind)
        {
            Counts[(int)kind]++;
            Total++;
        }

        public void Add(int row, BarProblemKind kind, string message)
        {
            Count(kind);
            if (problems.Count < capacity)
            {
                problems.Add(new BarProblem(row, kind, message));
            }
        }
    }
}
