using SigmaFlow.Functions.Feeds;

namespace SigmaFlow.Functions.Tests.Feeds;

/// <summary>The tick CSV rules: header, time forms, one problem per bad row with its row number.</summary>
public sealed class TickCsvReaderTests
{
    [Theory]
    [InlineData("2026-01-05T14:30:00Z", 1_767_623_400_000L)]
    [InlineData("2026-01-05T14:30:00.125Z", 1_767_623_400_125L)]
    [InlineData("2026-01-05 15:30:00+01:00", 1_767_623_400_000L)]
    [InlineData("2026-01-05T14:30:00", 1_767_623_400_000L)]
    [InlineData("1767623400125", 1_767_623_400_125L)]
    [InlineData("1767623400", 1_767_623_400_000L)]
    public void TryParseTime_IsoOrUnix_UnixMilliseconds(string text, long expected)
    {
        Assert.True(TickCsvReader.TryParseTime(text, out var time));
        Assert.Equal(expected, time);
    }

    [Theory]
    [InlineData("")]
    [InlineData("01/05/2026")]
    [InlineData("yesterday")]
    [InlineData("2026-13-05T14:30:00Z")]
    public void TryParseTime_NotATime_False(string text) => Assert.False(TickCsvReader.TryParseTime(text, out _));

    [Fact]
    public void Read_ColumnsInAnyOrderWithExtras_MapsByName()
    {
        using var reader = new StringReader("Size,PRICE,venue,Symbol,Timestamp,ask,bid\n2,10.5,x,AAPL,1767623400000,10.6,10.4\n");
        var result = TickCsvReader.Read(reader);

        Assert.Equal(0, result.TotalProblems);
        var tick = Assert.Single(result.Ticks);
        Assert.Equal(("AAPL", 1_767_623_400_000L, 10.5, 2.0, 10.4, 10.6), (tick.Symbol, tick.Time, tick.Price, tick.Size, tick.Bid, tick.Ask));
        Assert.Equal(-1, tick.Sequence);
    }

    [Fact]
    public void Read_HeaderWithoutSize_OneHeaderProblem()
    {
        using var reader = new StringReader("time,symbol,price\n1767623400000,AAPL,1\n");
        var result = TickCsvReader.Read(reader);

        Assert.True(result.HeaderFailed);
        var problem = Assert.Single(result.Problems);
        Assert.Equal(1, problem.Row);
        Assert.StartsWith("row 1: the header lacks the column(s) size", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ShortRowAndZeroPrice_ReportedWithRowNumbers()
    {
        using var reader = new StringReader("time,symbol,price,size\n1767623400000,AAPL\n1767623400000,AAPL,0,1\n1767623400000,,1,1\n");
        var result = TickCsvReader.Read(reader);

        Assert.Empty(result.Ticks);
        Assert.Equal(
            ["row 2: expected at least 4 fields as in the header; found 2", "row 3: price must be above 0; got 0", "row 4: symbol is empty"],
            result.Problems.Select(p => p.Message));
        Assert.Equal(3, result.RowsRead);
    }

    [Fact]
    public void IsTickHeader_BarHeader_False()
    {
        Assert.False(TickCsvReader.IsTickHeader("date,open,high,low,close,volume"));
        Assert.True(TickCsvReader.IsTickHeader("\uFEFFtime,symbol,price,size"));
    }

    [Theory]
    [InlineData("60s", 60_000)]
    [InlineData("1.5m", 90_000)]
    [InlineData("500ms", 500)]
    [InlineData("2h", 7_200_000)]
    [InlineData("30", 30_000)]
    public void TryParseDuration_Units_Milliseconds(string text, double milliseconds)
    {
        Assert.True(FeedCommand.TryParseDuration(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("soon")]
    [InlineData("400d")]
    public void TryParseDuration_Invalid_False(string text) => Assert.False(FeedCommand.TryParseDuration(text, out _));

    [Fact]
    public void RealisedRate_WholeMillisecondGaps_SlowsFastSymbols()
    {
        Assert.Equal(10, SimulatorSource.RealisedRate(10, 3));
        Assert.InRange(SimulatorSource.RealisedRate(300, 3), 295, 300); // 100 per symbol: rounding barely matters
        Assert.InRange(SimulatorSource.RealisedRate(5000, 3), 2500, 2900); // 1,667 per symbol: the 1 ms floor bites
        Assert.InRange(SimulatorSource.RealisedRate(1e6, 1), 999, 1000); // one tick per millisecond at most
    }
}
