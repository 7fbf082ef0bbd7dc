using System.Globalization;
using System.Text;
using SigmaFlow.Core.Data;
using static SigmaFlow.Core.Tests.Data.CsvSamples;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Loading bars from CSV: formats, headers, every problem kind, strict and skip modes.</summary>
public sealed class BarCsvReaderTests
{
    /// <summary>Every supported time format parses to the expected UTC instant.</summary>
    [Theory]
    [InlineData("2017-01-03", "2017-01-03T00:00:00Z")]
    [InlineData("2020-12-15 09:30", "2020-12-15T09:30:00Z")]
    [InlineData("2020-12-15 09:30:45", "2020-12-15T09:30:45Z")]
    [InlineData("2020-12-15T09:30:00Z", "2020-12-15T09:30:00Z")]
    [InlineData("2020-12-15T09:30:00", "2020-12-15T09:30:00Z")]
    [InlineData("2020-12-15t09:30:00z", "2020-12-15T09:30:00Z")]
    [InlineData("2020-12-15T09:30:00.250Z", "2020-12-15T09:30:00.250Z")]
    [InlineData("2020-12-15T09:30:00.1234567Z", "2020-12-15T09:30:00.123Z")]
    [InlineData("2020-12-15T09:30:00+02:00", "2020-12-15T07:30:00Z")]
    [InlineData("2020-12-15T09:30:00-05:00", "2020-12-15T14:30:00Z")]
    [InlineData("2020-12-15T01:30:00+0530", "2020-12-14T20:00:00Z")]
    [InlineData("2020-12-15 09:30 +02", "2020-12-15T07:30:00Z")]
    [InlineData("1/3/2017", "2017-01-03T00:00:00Z")]
    [InlineData("12/31/2018", "2018-12-31T00:00:00Z")]
    [InlineData("01/03/17", "2017-01-03T00:00:00Z")]
    [InlineData("01/03/49", "2049-01-03T00:00:00Z")]
    [InlineData("01/03/50", "1950-01-03T00:00:00Z")]
    [InlineData("12/31/99", "1999-12-31T00:00:00Z")]
    [InlineData("1/3/2017 9:30", "2017-01-03T09:30:00Z")]
    [InlineData("1/3/2017 09:30:15", "2017-01-03T09:30:15Z")]
    [InlineData("1/3/2017 9:30 PM", "2017-01-03T21:30:00Z")]
    [InlineData("1/3/2017 12:05 AM", "2017-01-03T00:05:00Z")]
    [InlineData("2/29/2016", "2016-02-29T00:00:00Z")]
    [InlineData("1608024600", "2020-12-15T09:30:00Z")]
    [InlineData("1608024600000", "2020-12-15T09:30:00Z")]
    [InlineData("99999999999", "5138-11-16T09:46:39Z")]
    [InlineData("100000000000", "1973-03-03T09:46:40Z")]
    [InlineData("0", "1970-01-01T00:00:00Z")]
    [InlineData("-86400", "1969-12-31T00:00:00Z")]
    [InlineData("\"2017-01-03\"", "2017-01-03T00:00:00Z")]
    [InlineData(" 2017-01-03 ", "2017-01-03T00:00:00Z")]
    public void Read_TimeFormat_ParsesToUtcMilliseconds(string timeText, string expectedIso)
    {
        var result = BarCsvReader.Read(WithRows(timeText + ",10,11,9,10.5,100"));

        Assert.True(result.Success, string.Join("; ", result.Problems));
        Assert.Equal(Utc(expectedIso), Assert.Single(result.Bars.Time));
    }

    /// <summary>Invalid or unsupported times are reported with the column and the value.</summary>
    [Theory]
    [InlineData("2017-13-01")]
    [InlineData("2017-02-30")]
    [InlineData("2/29/2017")]
    [InlineData("0/10/2017")]
    [InlineData("1/3/017")]
    [InlineData("1/3/20170")]
    [InlineData("20170-01-03")]
    [InlineData("2017/01/03")]
    [InlineData("2017-01-03 24:00")]
    [InlineData("2017-01-03 09:60")]
    [InlineData("2017-01-03T09:30:00+2")]
    [InlineData("2017-01-03T")]
    [InlineData("2017-01-03 9:30 XM")]
    [InlineData("1/3/2017 13:00 PM")]
    [InlineData("yesterday")]
    [InlineData("1.5e9")]
    [InlineData("99999999999999999999")]
    [InlineData("300000000000000")]
    public void Read_UnrecognisedTime_ReportsUnparsableTimeNamingValue(string timeText)
    {
        var result = BarCsvReader.Read(WithRows(timeText + ",10,11,9,10.5,100"));

        Assert.False(result.Success);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(BarProblemKind.UnparsableTime, problem.Kind);
        Assert.Equal(2, problem.Row);
        Assert.Contains(timeText, problem.Message, StringComparison.Ordinal);
        Assert.StartsWith("row 2: date ", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>A clean file loads every column and counts every row.</summary>
    [Fact]
    public void Read_GoodBars_LoadsColumns()
    {
        var result = BarCsvReader.Read(GoodBars);

        Assert.True(result.Success);
        Assert.Empty(result.Problems);
        var bars = result.Bars;
        Assert.Equal(3, bars.Count);
        Assert.Equal(new Ohlcv(Utc("2017-01-04"), 10.5, 12, 10, 11, 2000), bars[1]);
        Assert.Equal(3, result.Quality.RowsRead);
        Assert.Equal(3, result.Quality.RowsAccepted);
        Assert.Equal(0, result.Quality.RowsSkipped);
    }

    /// <summary>A byte order mark left in the text is dropped.</summary>
    [Fact]
    public void Read_Utf8BomInText_IsStripped()
    {
        var result = BarCsvReader.Read("\uFEFF" + GoodBars);

        Assert.True(result.Success);
        Assert.Equal(3, result.Bars.Count);
    }

    /// <summary>A byte order mark passed through by a non-detecting reader is dropped.</summary>
    [Fact]
    public void Read_Utf8BomBytesWithoutDetection_IsStripped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(GoodBars)).ToArray();
        using var stream = new MemoryStream(bytes);
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false);

        var result = BarCsvReader.Read(reader);

        Assert.True(result.Success, string.Join("; ", result.Problems));
        Assert.Equal(3, result.Bars.Count);
    }

    /// <summary>Header names match in any case, order, padding or quoting; extra columns are ignored.</summary>
    [Fact]
    public void Read_HeaderInAnyCaseOrderAndSpacing_MapsColumns()
    {
        const string csv = " Close ,VOLUME,Low,\"High\",Open,TimeStamp,Adj Close\n10.5,1000,9,11,10,2017-01-03,99\n";

        var result = BarCsvReader.Read(csv);

        Assert.True(result.Success, string.Join("; ", result.Problems));
        Assert.Equal(new Ohlcv(Utc("2017-01-03"), 10, 11, 9, 10.5, 1000), result.Bars[0]);
    }

    /// <summary>Each accepted time column name is recognised.</summary>
    [Theory]
    [InlineData("date")]
    [InlineData("Timestamp")]
    [InlineData("TIME")]
    [InlineData("DateTime")]
    public void Read_TimeColumnName_IsRecognised(string name)
    {
        var result = BarCsvReader.Read(name + ",open,high,low,close,volume\n2017-01-03,10,11,9,10.5,100\n");

        Assert.True(result.Success);
        Assert.Equal(1, result.Bars.Count);
    }

    /// <summary>With two time-like columns the first in the header wins.</summary>
    [Fact]
    public void Read_TwoTimeColumns_UsesFirstInHeaderOrder()
    {
        const string csv = "symbol,time,open,high,low,close,date\nSPY,2017-01-03,10,11,9,10.5,not-a-date\n";

        var result = BarCsvReader.Read(csv);

        Assert.True(result.Success, string.Join("; ", result.Problems));
        Assert.Equal(Utc("2017-01-03"), result.Bars.Time[0]);
    }

    /// <summary>Without a volume column volumes are 0 and the report says so.</summary>
    [Fact]
    public void Read_MissingVolumeColumn_VolumeZeroWithNote()
    {
        const string csv = "date,open,high,low,close\n2017-01-03,10,11,9,10.5\n2017-01-04,10,11,9,10.5\n";

        var result = BarCsvReader.Read(csv);

        Assert.True(result.Success);
        Assert.Equal([0.0, 0.0], result.Bars.Volume);
        Assert.Contains(result.Quality.Notes, n => n.Contains("volume", StringComparison.Ordinal));
    }

    /// <summary>Missing required columns give one problem at row 1 naming them.</summary>
    [Fact]
    public void Read_MissingRequiredColumns_OneProblemAtRowOneNamingThem()
    {
        const string csv = "date,open,low,volume\n2017-01-03,10,9,100\n";

        var result = BarCsvReader.Read(csv);

        Assert.False(result.Success);
        Assert.Same(BarSeries.Empty, result.Bars);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(1, problem.Row);
        Assert.Equal(BarProblemKind.MissingColumn, problem.Kind);
        Assert.Contains("high, close", problem.Message, StringComparison.Ordinal);
        Assert.Contains("found: date, open, low, volume", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>A missing time column is reported with the accepted names, and fails even in skip mode.</summary>
    [Fact]
    public void Read_MissingTimeColumn_NamesTheAcceptedNames()
    {
        var result = BarCsvReader.Read("when,open,high,low,close\n1,1,1,1,1\n", new BarLoadOptions { SkipBadRows = true });

        Assert.False(result.Success);
        var problem = Assert.Single(result.Problems);
        Assert.Contains("date (or timestamp, time, datetime)", problem.Message, StringComparison.Ordinal);
    }

    /// <summary>Empty input fails with a header problem.</summary>
    [Fact]
    public void Read_EmptyInput_ReportsMissingHeader()
    {
        var result = BarCsvReader.Read(string.Empty);

        Assert.False(result.Success);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(BarProblemKind.MissingColumn, problem.Kind);
        Assert.Equal(1, problem.Row);
    }

    /// <summary>A header without rows is a valid, empty series.</summary>
    [Fact]
    public void Read_HeaderOnly_SucceedsWithNoBars()
    {
        var result = BarCsvReader.Read(HeaderOnly, new BarLoadOptions { SkipBadRows = true });

        Assert.True(result.Success);
        Assert.Equal(0, result.Bars.Count);
        Assert.Equal(0, result.Quality.RowsRead);
        Assert.Null(result.Quality.Cadence);
    }

    /// <summary>Each problem kind is reported with its line number and a message naming column, rule and value.</summary>
    [Theory]
    [InlineData("", BarProblemKind.BlankRow, "row 3: blank row")]
    [InlineData(" ,, ,,,", BarProblemKind.BlankRow, "row 3: blank row")]
    [InlineData("2017-01-04,10,11,9,10.5", BarProblemKind.WrongColumnCount, "row 3: expected 6 columns as in the header, found 5")]
    [InlineData("2017-01-04,10,11,9,10.5,100,7", BarProblemKind.WrongColumnCount, "row 3: expected 6 columns as in the header, found 7")]
    [InlineData(",10,11,9,10.5,100", BarProblemKind.UnparsableTime, "row 3: date is empty")]
    [InlineData("someday,10,11,9,10.5,100", BarProblemKind.UnparsableTime, "row 3: date 'someday' is not a recognised time")]
    [InlineData("2017-01-04,ten,11,9,10.5,100", BarProblemKind.UnparsableNumber, "row 3: open 'ten' is not a number")]
    [InlineData("2017-01-04,10,11,9,,100", BarProblemKind.UnparsableNumber, "row 3: close is empty; expected a number")]
    [InlineData("2017-01-04,10,11,9,10.5,1e", BarProblemKind.UnparsableNumber, "row 3: volume '1e' is not a number")]
    [InlineData("2017-01-04,0,11,9,10.5,100", BarProblemKind.NonPositivePrice, "row 3: open 0 must be greater than 0")]
    [InlineData("2017-01-04,10,11,-9,10.5,100", BarProblemKind.NonPositivePrice, "row 3: low -9 must be greater than 0")]
    [InlineData("2017-01-04,10,Infinity,9,10.5,100", BarProblemKind.NonPositivePrice, "row 3: high Infinity must be a finite number greater than 0")]
    [InlineData("2017-01-04,10,11,9,NaN,100", BarProblemKind.NonPositivePrice, "row 3: close NaN must be a finite number greater than 0")]
    [InlineData("2017-01-04,10,11,9,10.5,-100", BarProblemKind.NegativeVolume, "row 3: volume -100 must not be negative")]
    [InlineData("2017-01-04,10,11,9,10.5,NaN", BarProblemKind.NegativeVolume, "row 3: volume NaN must be a finite number of at least 0")]
    [InlineData("2017-01-04,11,10.5,11.2,11,100", BarProblemKind.HighBelowLow, "row 3: high 10.5 is below low 11.2")]
    [InlineData("2017-01-04,12,11,9,10.5,100", BarProblemKind.OpenOutsideRange, "row 3: open 12 is outside the bar's range [low 9, high 11]")]
    [InlineData("2017-01-04,10,11,9,8.5,100", BarProblemKind.CloseOutsideRange, "row 3: close 8.5 is outside the bar's range [low 9, high 11]")]
    [InlineData("2017-01-03,10,11,9,10.5,100", BarProblemKind.DuplicateTime, "row 3: date 2017-01-03 (2017-01-03T00:00:00Z) repeats the time of row 2, the last accepted row")]
    [InlineData("1/2/2017,10,11,9,10.5,100", BarProblemKind.OutOfOrderTime, "row 3: date 1/2/2017 (2017-01-02T00:00:00Z) is earlier than 2017-01-03T00:00:00Z of row 2, the last accepted row")]
    public void Read_BadRow_ReportsKindRowAndMessage(string badRow, BarProblemKind kind, string message)
    {
        var csv = WithRows("2017-01-03,10,11,9,10.5,100", badRow, "2017-01-05,10,11,9,10.5,100");

        var result = BarCsvReader.Read(csv);

        Assert.False(result.Success);
        Assert.Equal(0, result.Bars.Count);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Row);
        Assert.Equal(kind, problem.Kind);
        Assert.StartsWith(message, problem.Message, StringComparison.Ordinal);
        Assert.Equal(1, result.Quality.CountOf(kind));
        Assert.Equal(2, result.Quality.RowsAccepted);
        Assert.Equal(1, result.Quality.RowsSkipped);
    }

    /// <summary>Strict mode lists every problem, not just the first, and returns no bars.</summary>
    [Fact]
    public void Read_SeveralBadRows_ListsEveryProblemInRowOrder()
    {
        var csv = WithRows(
            "2017-01-03,10,11,9,10.5,100",   // 2
            "2017-01-04,0,11,9,10.5,100",    // 3 non-positive
            "2017-01-05,10,11,9,10.5,100",   // 4
            "bad,10,11,9,10.5,100",          // 5 time
            "2017-01-06,10,11,9,10.5",       // 6 columns
            "2017-01-09,10,11,9,10.5,100",   // 7
            "2017-01-09,10,11,9,10.5,100",   // 8 duplicate
            "2017-01-10,10,11,9,12,100");    // 9 close

        var result = BarCsvReader.Read(csv);

        Assert.False(result.Success);
        Assert.Same(BarSeries.Empty, result.Bars);
        Assert.Equal([3, 5, 6, 8, 9], result.Problems.Select(p => p.Row));
        Assert.Equal(
            [BarProblemKind.NonPositivePrice, BarProblemKind.UnparsableTime, BarProblemKind.WrongColumnCount, BarProblemKind.DuplicateTime, BarProblemKind.CloseOutsideRange],
            result.Problems.Select(p => p.Kind));
        Assert.Equal(5, result.Quality.ProblemCount);
        Assert.Equal(3, result.Quality.RowsAccepted);
    }

    /// <summary>Skip mode keeps the valid rows and counts the skipped ones per kind.</summary>
    [Fact]
    public void Read_SkipBadRows_KeepsValidRowsAndCounts()
    {
        var csv = WithRows(
            "2017-01-03,10,11,9,10.5,100",
            "2017-01-04,0,11,9,10.5,100",
            string.Empty,
            "2017-01-05,10,11,9,10.5,100",
            "2017-01-04,10,11,9,10.5,100",
            "2017-01-06,10,11,9,10.5,100");

        var result = BarCsvReader.Read(csv, new BarLoadOptions { SkipBadRows = true });

        Assert.True(result.Success);
        Assert.Equal([Utc("2017-01-03"), Utc("2017-01-05"), Utc("2017-01-06")], result.Bars.Time);
        Assert.Equal([3, 4, 6], result.Problems.Select(p => p.Row));
        var quality = result.Quality;
        Assert.Equal(6, quality.RowsRead);
        Assert.Equal(3, quality.RowsAccepted);
        Assert.Equal(3, quality.RowsSkipped);
        Assert.Equal(1, quality.CountOf(BarProblemKind.NonPositivePrice));
        Assert.Equal(1, quality.CountOf(BarProblemKind.BlankRow));
        Assert.Equal(1, quality.CountOf(BarProblemKind.OutOfOrderTime));
        Assert.Equal(0, quality.CountOf(BarProblemKind.HighBelowLow));
        Assert.Equal(3, quality.ProblemCounts.Count);
    }

    /// <summary>Skip mode fails when no row is valid.</summary>
    [Fact]
    public void Read_SkipBadRowsWithNoValidRow_Fails()
    {
        var result = BarCsvReader.Read(WithRows("2017-01-04,0,0,0,0,0", "2017-01-05,0,0,0,0,0"), new BarLoadOptions { SkipBadRows = true });

        Assert.False(result.Success);
        Assert.Equal(0, result.Bars.Count);
        Assert.Equal(2, result.Problems.Count);
    }

    /// <summary>Duplicate and order checks compare with the last accepted row, not the last row read.</summary>
    [Fact]
    public void Read_OrderAfterRejectedRow_JudgedAgainstLastAcceptedRow()
    {
        var csv = WithRows(
            "2017-01-03,10,11,9,10.5,100",  // 2 accepted
            "2017-01-05,10,9,11,10.5,100",  // 3 high below low: rejected
            "2017-01-04,10,11,9,10.5,100",  // 4 accepted: later than row 2
            "2017-01-04,10,11,9,10.5,100"); // 5 duplicate of row 4

        var result = BarCsvReader.Read(csv, new BarLoadOptions { SkipBadRows = true });

        Assert.Equal([Utc("2017-01-03"), Utc("2017-01-04")], result.Bars.Time);
        Assert.Equal([BarProblemKind.HighBelowLow, BarProblemKind.DuplicateTime], result.Problems.Select(p => p.Kind));
        Assert.Contains("row 4", result.Problems[1].Message, StringComparison.Ordinal);
    }

    /// <summary>Blank lines at the end are not problems.</summary>
    [Fact]
    public void Read_TrailingBlankLines_IgnoredWithNote()
    {
        var result = BarCsvReader.Read(GoodBars + "\n\n  \n");

        Assert.True(result.Success);
        Assert.Equal(3, result.Quality.RowsRead);
        Assert.Contains(result.Quality.Notes, n => n.StartsWith("3 blank line(s)", StringComparison.Ordinal));
    }

    /// <summary>CRLF and lone CR line ends both count as one line.</summary>
    [Fact]
    public void Read_CrLfAndLoneCrLineEnds_CountRowsAsLines()
    {
        const string csv = "date,open,high,low,close\r\n2017-01-03,10,11,9,10.5\r2017-01-04,0,11,9,10.5\r\n2017-01-05,10,11,9,10.5";

        var result = BarCsvReader.Read(csv);

        var problem = Assert.Single(result.Problems);
        Assert.Equal(3, problem.Row);
        Assert.Equal(2, result.Quality.RowsAccepted);
    }

    /// <summary>A reader that returns one character per call gives the same result as whole text.</summary>
    [Fact]
    public void Read_OneCharacterAtATime_SameAsWholeText()
    {
        const string csv = "\uFEFFdate,open,high,low,close,volume\r\n2017-01-03,10,11,9,10.5,1\r\n\r\n2017-01-04,10,11,9,10.5,2\r2017-01-05,10,11,9,10.5,3\n";
        var whole = BarCsvReader.Read(csv, new BarLoadOptions { SkipBadRows = true });

        using var trickle = new TrickleReader(csv);
        var pieces = BarCsvReader.Read(trickle, new BarLoadOptions { SkipBadRows = true });

        Assert.Equal(3, whole.Bars.Count);
        Assert.Equal(whole.Bars.Time, pieces.Bars.Time);
        Assert.Equal(whole.Bars.Volume, pieces.Bars.Volume);
        Assert.Equal(whole.Problems, pieces.Problems);
        Assert.Equal(3, Assert.Single(pieces.Problems).Row);
    }

    /// <summary>A line longer than the read buffer is read whole.</summary>
    [Fact]
    public void Read_LineLongerThanBuffer_IsRead()
    {
        var note = new string('x', 200_000);
        var csv = "date,open,high,low,close,volume,note\n2017-01-03,10,11,9,10.5,1," + note + "\n2017-01-04,10,11,9,10.5,2,y\n";

        var result = BarCsvReader.Read(csv);

        Assert.True(result.Success);
        Assert.Equal(2, result.Bars.Count);
    }

    /// <summary>Quoted and padded fields are trimmed and unquoted.</summary>
    [Fact]
    public void Read_QuotedAndPaddedFields_AreUnquoted()
    {
        var result = BarCsvReader.Read(WithRows("\"2017-01-03\", \"10\" ,11, 9 ,\"10.5\",100"));

        Assert.True(result.Success, string.Join("; ", result.Problems));
        Assert.Equal(new Ohlcv(Utc("2017-01-03"), 10, 11, 9, 10.5, 100), result.Bars[0]);
    }

    /// <summary>Numbers in exponent or signed form parse.</summary>
    [Fact]
    public void Read_NumbersInExponentAndSignedForms_Parse()
    {
        var result = BarCsvReader.Read(WithRows("2017-01-03,1e1,+11,9.0,1.05E+01,0"));

        Assert.True(result.Success);
        Assert.Equal(new Ohlcv(Utc("2017-01-03"), 10, 11, 9, 10.5, 0), result.Bars[0]);
    }

    /// <summary>Problems beyond the cap are counted but not stored.</summary>
    [Fact]
    public void Read_ProblemsBeyondMaxProblems_StoredUpToCapCountedInFull()
    {
        var rows = Enumerable.Range(0, 30).Select(i => "x,1,1,1,1,1").ToArray();

        var result = BarCsvReader.Read(WithRows(rows), new BarLoadOptions { MaxProblems = 5 });

        Assert.Equal(5, result.Problems.Count);
        Assert.Equal(30, result.Quality.ProblemCount);
        Assert.Equal(30, result.Quality.CountOf(BarProblemKind.UnparsableTime));
    }

    /// <summary>The symbol option reaches the result and the series.</summary>
    [Fact]
    public void Read_SymbolOption_AttachedToResultAndSeries()
    {
        var result = BarCsvReader.Read(GoodBars, new BarLoadOptions { Symbol = "SPY" });

        Assert.Equal("SPY", result.Symbol);
        Assert.Equal("SPY", result.Bars.Symbol);
    }

    /// <summary>Invalid options are rejected naming the setting, rule and value.</summary>
    [Fact]
    public void Read_InvalidOptions_ThrowsNamingSetting()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => BarCsvReader.Read(GoodBars, new BarLoadOptions { MaxProblems = 0 }));

        Assert.Equal("MaxProblems", error.ParamName);
        Assert.Contains("at least 1; got 0", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The exception lists 20 problems and summarises the rest.</summary>
    [Fact]
    public void ThrowIfFailed_Failed_ThrowsListingTwentyProblemsAndTheRest()
    {
        var rows = Enumerable.Range(0, 25).Select(i => "2017-01-03,-1,1,1,1,1").ToArray();
        var result = BarCsvReader.Read(WithRows(rows));

        var error = Assert.Throws<BarCsvException>(() => result.ThrowIfFailed());

        Assert.IsAssignableFrom<FormatException>(error);
        Assert.Equal(25, error.TotalProblems);
        Assert.Equal(25, error.Problems.Count);
        Assert.Contains("25 problem(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("row 21: open -1", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("row 22:", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("and 5 more", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The exception counts problems beyond the storage cap.</summary>
    [Fact]
    public void ThrowIfFailed_CappedProblems_CountsTheUnstoredOnes()
    {
        var rows = Enumerable.Range(0, 50).Select(i => "2017-01-03,-1,1,1,1,1").ToArray();
        var result = BarCsvReader.Read(WithRows(rows), new BarLoadOptions { MaxProblems = 10 });

        var error = Assert.Throws<BarCsvException>(() => result.ThrowIfFailed());

        Assert.Equal(50, error.TotalProblems);
        Assert.EndsWith("and 40 more", error.Message, StringComparison.Ordinal);
    }

    /// <summary>On success the bars are returned.</summary>
    [Fact]
    public void ThrowIfFailed_Succeeded_ReturnsBars()
    {
        var result = BarCsvReader.Read(GoodBars);

        Assert.Same(result.Bars, result.ThrowIfFailed());
    }

    /// <summary>Null arguments are rejected.</summary>
    [Fact]
    public void Read_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => BarCsvReader.Read((TextReader)null!));
        Assert.Throws<ArgumentNullException>(() => BarCsvReader.Read((string)null!));
    }

    /// <summary>Twenty thousand Unix-second rows parse in order with a one-minute cadence.</summary>
    [Fact]
    public void Read_ManyRows_ParsesEveryRow()
    {
        var text = new StringBuilder(Header).Append('\n');
        var start = Utc("2020-01-01T00:00:00Z");
        for (var i = 0; i < 20_000; i++)
        {
            text.Append((start / 1000) + (i * 60)).Append(CultureInfo.InvariantCulture, $",{100 + (i % 7)},{110 + (i % 7)},{90 + (i % 7)},{105 + (i % 7)},{i}\n");
        }

        var result = BarCsvReader.Read(text.ToString());

        Assert.True(result.Success);
        Assert.Equal(20_000, result.Bars.Count);
        Assert.Equal(start + (19_999 * 60_000L), result.Bars.Time[^1]);
        Assert.Equal(TimeSpan.FromMinutes(1), result.Quality.Cadence);
    }

    /// <summary>Hands out one character per read, to exercise every buffer boundary.</summary>
    private sealed class TrickleReader(string text) : TextReader
    {
        private int position;

        public override int Read(char[] buffer, int index, int count)
        {
            if (position >= text.Length || count == 0)
            {
                return 0;
            }

            buffer[index] = text[position++];
            return 1;
        }
    }
}
