using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>The loader's number parser agrees with double.Parse bit for bit.</summary>
public sealed class CsvNumberTests
{
    /// <summary>Edge-case texts parse exactly as double.TryParse does (or fail as it does).</summary>
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("+12.5")]
    [InlineData(".5")]
    [InlineData("5.")]
    [InlineData("0.00000001293")]
    [InlineData("9007199254740992")]
    [InlineData("9007199254740993")]
    [InlineData("0.1")]
    [InlineData("0.30000000000000004")]
    [InlineData("1713240492460.72")]
    [InlineData("12449328258168.00")]
    [InlineData("1e21")]
    [InlineData("1.5E-3")]
    [InlineData("NaN")]
    [InlineData("-Infinity")]
    [InlineData("00000000000000000000001")]
    [InlineData("0.0000000000000000000000001")]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("-")]
    [InlineData("1.2.3")]
    [InlineData("1,5")]
    [InlineData("12a")]
    public void TryParse_Text_SameAsDoubleParse(string text)
    {
        var expectedOk = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var expected);

        var ok = CsvNumber.TryParse(text, out var actual);

        Assert.Equal(expectedOk, ok);
        if (ok)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(actual));
        }
    }

    /// <summary>Random prices and volumes at every precision parse exactly as double.Parse does.</summary>
    [Fact]
    public void TryParse_RandomDecimals_SameBitsAsDoubleParse()
    {
        var random = new Xoshiro256StarStar(11);
        for (var i = 0; i < 200_000; i++)
        {
            var magnitude = Math.Pow(10, (int)(random.NextDouble() * 24) - 10);
            var value = random.NextDouble() * magnitude;
            var decimals = (int)(random.NextDouble() * 17);
            var text = i % 3 == 0
                ? value.ToString("R", CultureInfo.InvariantCulture)
                : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (i % 5 == 0)
            {
                text = "-" + text;
            }

            Assert.True(CsvNumber.TryParse(text, out var actual), text);
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(actual));
        }
    }
}
