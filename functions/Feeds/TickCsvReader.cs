using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// Reads a tick CSV for replay: a header naming <c>time</c>, <c>symbol</c>, <c>price</c> and <c>size</c>, optionally
/// <c>bid</c> and <c>ask</c> (any order, any letter case; other columns ignored), then one trade per row.
/// </summary>
/// <remarks>
/// <para>
/// Times are ISO 8601 (<c>2026-01-05T14:30:00.125Z</c>, <c>2026-01-05 14:30:00+01:00</c>; no offset means UTC) or Unix
/// integers (absolute value at least 10^11 is milliseconds, smaller is seconds: the bar reader's rule). Fields may be
/// wrapped in double quotes (without commas inside); blank lines are ignored.
/// </para>
/// <para>
/// A row is bad when it has fewer fields than the header needs, its time is not a time, its symbol is empty or longer
/// than 64 characters, its price is not a number above 0, its size is not a number of 0 or more, a bid or ask that is
/// present is not a number above 0, its bid is above its ask, or its time is earlier than the previous good row's
/// (a replay is paced by time, so rows must be in time order across symbols). Each bad row is reported once, with its
/// row number (the header is row 1), for the first rule it breaks.
/// </para>
/// </remarks>
internal static class TickCsvReader
{
    /// <summary>How many problems are kept (all are counted).</summary>
    public const int MaxStoredProblems = 10_000;

    /// <summary>Integers with an absolute value at least this large are Unix milliseconds; smaller ones are seconds.</summary>
    private const long MillisecondsThreshold = 100_000_000_000;

    private const int TimeColumn = 0;
    private const int SymbolColumn = 1;
    private const int PriceColumn = 2;
    private const int SizeColumn = 3;
    private const int BidColumn = 4;
    private const int AskColumn = 5;
    private static readonly string[] ColumnNames = ["time", "symbol", "price", "size", "bid", "ask"];

    /// <summary>True when a CSV header line names a <c>price</c> column and a <c>symbol</c> column (a tick file rather than bars).</summary>
    /// <param name="headerLine">The first line of the file.</param>
    /// <returns>Whether the file is a tick CSV.</returns>
    public static bool IsTickHeader(string headerLine)
    {
        ArgumentNullException.ThrowIfNull(headerLine);
        var names = headerLine.TrimStart('\uFEFF').Split(',').Select(n => Unquote(n).ToLowerInvariant()).ToArray();
        return names.Contains("price") && names.Contains("symbol");
    }

    /// <summary>Reads every row. The reader is not disposed.</summary>
    /// <param name="reader">The CSV, positioned at the header.</param>
    /// <returns>The good ticks in file order and every bad row.</returns>
    public static TickCsvResult Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ticks = new List<Tick>();
        var problems = new List<TickCsvProblem>();
        var totalProblems = 0;
        void Problem(int row, string message)
        {
            totalProblems++;
            if (problems.Count < MaxStoredProblems)
            {
                problems.Add(new TickCsvProblem(row, string.Create(CultureInfo.InvariantCulture, $"row {row}: {message}")));
            }
        }

        var header = reader.ReadLine();
        if (header is null)
        {
            Problem(1, "the file is empty; expected a header time,symbol,price,size[,bid,ask]");
            return new TickCsvResult(ticks, problems, 0, totalProblems, HeaderFailed: true);
        }

        var columns = MapHeader(header.TrimStart('\uFEFF'), out var missing);
        if (missing.Count > 0)
        {
            Problem(1, $"the header lacks the column(s) {string.Join(", ", missing)}; a tick CSV starts with time,symbol,price,size[,bid,ask]; got '{header}'");
            return new TickCsvResult(ticks, problems, 0, totalProblems, HeaderFailed: true);
        }

        var needed = Math.Max(Math.Max(columns[TimeColumn], columns[SymbolColumn]), Math.Max(columns[PriceColumn], columns[SizeColumn])) + 1;
        var symbols = new SymbolTable();
        var row = 1;
        var rowsRead = 0;
        var lastTime = long.MinValue;
        var lastGoodRow = 0;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            row++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            rowsRead++;
            var fields = line.Split(',');
            if (fields.Length < needed)
            {
                Problem(row, $"expected at least {needed} fields as in the header; found {fields.Length}");
                continue;
            }

            var timeText = Unquote(fields[columns[TimeColumn]]);
            if (!TryParseTime(timeText, out var time))
            {
                Problem(row, timeText.Length == 0
                    ? "time is empty"
                    : $"time '{timeText}' is not a time (expected ISO 8601 such as 2026-01-05T14:30:00.125Z, or Unix milliseconds)");
                continue;
            }

            var symbol = Unquote(fields[columns[SymbolColumn]]);
            if (symbol.Length is 0 or > 64)
            {
                Problem(row, symbol.Length == 0 ? "symbol is empty" : $"symbol '{symbol[..20]}…' is longer than 64 characters");
                continue;
            }

            if (!TryNumber(fields, columns[PriceColumn], "price", required: true, out var price, out var error)
                || !TryNumber(fields, columns[SizeColumn], "size", required: true, out var size, out error)
                || !TryNumber(fields, columns[BidColumn], "bid", required: false, out var bid, out error)
                || !TryNumber(fields, columns[AskColumn], "ask", required: false, out var ask, out error))
            {
                Problem(row, error!);
                continue;
            }

            if (!(price > 0))
            {
                Problem(row, string.Create(CultureInfo.InvariantCulture, $"price must be above 0; got {price}"));
                continue;
            }

            if (size < 0)
            {
                Problem(row, string.Create(CultureInfo.InvariantCulture, $"size must be 0 or more; got {size}"));
                continue;
            }

            if (bid <= 0 || ask <= 0)
            {
                Problem(row, string.Create(CultureInfo.InvariantCulture, $"{(bid <= 0 ? "bid" : "ask")} must be above 0 when given; got {(bid <= 0 ? bid : ask)}"));
                continue;
            }

            if (bid > ask)
            {
                Problem(row, string.Create(CultureInfo.InvariantCulture, $"bid {bid} is above ask {ask}"));
                continue;
            }

            if (time < lastTime)
            {
                Problem(row, $"time {Iso(time)} is earlier than {Iso(lastTime)} on row {lastGoodRow}; rows must be in time order");
                continue;
            }

            ticks.Add(new Tick(symbols.Intern(symbol), time, price, size, bid, ask));
            lastTime = time;
            lastGoodRow = row;
        }

        return new TickCsvResult(ticks, problems, rowsRead, totalProblems, HeaderFailed: false);
    }

    /// <summary>Parses an ISO 8601 date-time (UTC when it has no offset) or a Unix integer (milliseconds from 10^11 up, else seconds).</summary>
    /// <param name="text">The trimmed text.</param>
    /// <param name="unixMilliseconds">The time.</param>
    /// <returns>Whether it is a time.</returns>
    public static bool TryParseTime(string text, out long unixMilliseconds)
    {
        unixMilliseconds = 0;
        if (text.Length == 0)
        {
            return false;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            if (Math.Abs(number) < MillisecondsThreshold)
            {
                number *= 1000;
            }

            unixMilliseconds = number;
            return number is >= -62_135_596_800_000 and <= 253_402_300_799_999;
        }

        // ISO 8601 only: a four-digit year and a dash first, so that locale-shaped dates are not guessed at.
        if (text.Length < 10 || !char.IsAsciiDigit(text[0]) || text[4] != '-'
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var when))
        {
            return false;
        }

        unixMilliseconds = when.ToUnixTimeMilliseconds();
        return true;
    }

    private static int[] MapHeader(string header, out List<string> missing)
    {
        var columns = new int[ColumnNames.Length];
        Array.Fill(columns, -1);
        var names = header.Split(',');
        for (var i = 0; i < names.Length; i++)
        {
            var name = Unquote(names[i]).ToLowerInvariant();
            var role = name == "timestamp" ? TimeColumn : Array.IndexOf(ColumnNames, name);
            if (role >= 0 && columns[role] < 0)
            {
                columns[role] = i;
            }
        }

        missing = [];
        for (var role = TimeColumn; role <= SizeColumn; role++)
        {
            if (columns[role] < 0)
            {
                missing.Add(ColumnNames[role]);
            }
        }

        return columns;
    }

    private static bool TryNumber(string[] fields, int column, string name, bool required, out double value, out string? error)
    {
        value = double.NaN;
        error = null;
        var text = column >= 0 && column < fields.Length ? Unquote(fields[column]) : string.Empty;
        if (text.Length == 0)
        {
            if (required)
            {
                error = $"{name} is empty; expected a number";
                return false;
            }

            return true;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            value = double.NaN;
            error = $"{name} '{text}' is not a number";
            return false;
        }

        return true;
    }

    private static string Unquote(string raw)
    {
        var text = raw.Trim();
        return text.Length >= 2 && text[0] == '"' && text[^1] == '"' ? text[1..^1].Trim() : text;
    }

    private static string Iso(long unixMilliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A bad row of a tick CSV.</summary>
/// <param name="Row">Its row number (the header is row 1).</param>
/// <param name="Message">What is wrong: <c>row 7: price 'abc' is not a number</c>.</param>
internal sealed record TickCsvProblem(int Row, string Message);

/// <summary>What <see cref="TickCsvReader.Read"/> found.</summary>
/// <param name="Ticks">The good rows, in file order, without sequence numbers.</param>
/// <param name="Problems">The bad rows, up to <see cref="TickCsvReader.MaxStoredProblems"/>.</param>
/// <param name="RowsRead">Data rows read (blank lines not counted).</param>
/// <param name="TotalProblems">Every bad row, counted.</param>
/// <param name="HeaderFailed">True when the header itself is missing or wrong (nothing can be replayed).</param>
internal sealed record TickCsvResult(IReadOnlyList<Tick> Ticks, IReadOnlyList<TickCsvProblem> Problems, int RowsRead, int TotalProblems, bool HeaderFailed);
