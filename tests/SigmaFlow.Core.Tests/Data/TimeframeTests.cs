using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>Parsing and printing bar lengths.</summary>
public sealed class TimeframeTests
{
    /// <summary>Common and general forms parse to their length in milliseconds.</summary>
    [Theory]
    [InlineData("1m", 60_000L)]
    [InlineData("5m", 300_000L)]
    [InlineData("15m", 900_000L)]
    [InlineData("30m", 1_800_000L)]
    [InlineData("1h", 3_600_000L)]
    [InlineData("4h", 14_400_000L)]
    [InlineData("1d", 86_400_000L)]
    [InlineData("1w", 604_800_000L)]
    [InlineData("30s", 30_000L)]
    [InlineData("250ms", 250L)]
    [InlineData(" 2H ", 7_200_000L)]
    [InlineData("1D", 86_400_000L)]
    [InlineData("90m", 5_400_000L)]
    public void Parse_ValidText_Milliseconds(string text, long milliseconds)
    {
        Assert.Equal(milliseconds, Timeframe.Parse(text).Milliseconds);
        Assert.True(Timeframe.TryParse(text, out var parsed));
        Assert.Equal(milliseconds, parsed.Milliseconds);
    }

    /// <summary>Invalid text fails with a message naming the input and the expected form.</summary>
    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("5")]
    [InlineData("0m")]
    [InlineData("-1m")]
    [InlineData("1.5h")]
    [InlineData("1y")]
    [InlineData("1 m")]
    [InlineData("99999999999999999999d")]
    [InlineData("9999999999999w")]
    public void Parse_InvalidText_FormatExceptionNamingInput(string text)
    {
        var error = Assert.Throws<FormatException>(() => Timeframe.Parse(text));

        Assert.Contains("'" + text + "'", error.Message, StringComparison.Ordinal);
        Assert.False(Timeframe.TryParse(text, out _));
    }

    /// <summary>Upper-case M is refused with a hint, since it usually means months.</summary>
    [Fact]
    public void Parse_UpperCaseM_ExplainsMonthsAreNotSupported()
    {
        var error = Assert.Throws<FormatException>(() => Timeframe.Parse("1M"));

        Assert.Contains("use 'm' for minutes", error.Message, StringComparison.Ordinal);
    }

    /// <summary>ToString prints the largest whole unit, and parses back to the same value.</summary>
    [Theory]
    [InlineData("1m", "1m")]
    [InlineData("60m", "1h")]
    [InlineData("90m", "90m")]
    [InlineData("24h", "1d")]
    [InlineData("14d", "2w")]
    [InlineData("1500ms", "1500ms")]
    [InlineData("3000ms", "3s")]
    [InlineData("4h", "4h")]
    public void ToString_ParsedText_LargestUnitRoundTrips(string text, string expected)
    {
        var timeframe = Timeframe.Parse(text);

        Assert.Equal(expected, timeframe.ToString());
        Assert.Equal(timeframe, Timeframe.Parse(timeframe.ToString()));
    }

    /// <summary>The constructor and FromTimeSpan reject non-positive or fractional lengths, naming the value.</summary>
    [Fact]
    public void Constructors_InvalidLength_Throw()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new Timeframe(0));
        Assert.Equal("milliseconds", zero.ParamName);
        Assert.Contains("got 0", zero.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => Timeframe.FromTimeSpan(TimeSpan.FromTicks(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Timeframe.FromTimeSpan(TimeSpan.FromMinutes(-1)));
        Assert.Equal(Timeframe.Parse("15m"), Timeframe.FromTimeSpan(TimeSpan.FromMinutes(15)));
        Assert.Equal(TimeSpan.FromHours(4), Timeframe.Parse("4h").Duration);
    }
}
