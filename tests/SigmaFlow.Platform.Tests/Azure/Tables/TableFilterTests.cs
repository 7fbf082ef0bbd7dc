using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>OData literals and filter composition: every value is quoted and typed, no value can change the expression.</summary>
public sealed class TableFilterTests
{
    [Fact]
    public void Equal_StringWithSingleQuote_DoublesTheQuote()
    {
        Assert.Equal("PartitionKey eq 'BTC''USD'", TableFilter.Equal("PartitionKey", "BTC'USD"));
    }

    [Fact]
    public void Equal_InjectionAttempt_StaysInsideTheLiteral()
    {
        var filter = TableFilter.Equal("PartitionKey", "x' or PartitionKey ne 'x");

        Assert.Equal("PartitionKey eq 'x'' or PartitionKey ne ''x'", filter);
    }

    [Theory]
    [MemberData(nameof(Literals))]
    public void Literal_EachTableType_HasItsODataForm(object value, string expected)
    {
        Assert.Equal(expected, TableFilter.Literal(value));
    }

    public static TheoryData<object, string> Literals() => new()
    {
        { string.Empty, "''" },
        { "it's", "'it''s'" },
        { "Zürich ₿", "'Zürich ₿'" },
        { true, "true" },
        { false, "false" },
        { -42, "-42" },
        { long.MaxValue, "9223372036854775807L" },
        { 5L, "5L" },
        { 5.0, "5.0" },
        { -0.25, "-0.25" },
        { 1e21, "1E+21" },
        { 0.1 + 0.2, "0.30000000000000004" },
        { new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)).AddTicks(1234567), "datetime'2026-01-02T01:04:05.1234567Z'" },
        { new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), "datetime'2026-01-02T03:04:05.0000000Z'" },
        { new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Unspecified), "datetime'2026-01-02T03:04:05.0000000Z'" },
        { Guid.Parse("d2b8f0e4-3c1a-4b7e-9f00-123456789abc"), "guid'd2b8f0e4-3c1a-4b7e-9f00-123456789abc'" },
        { new byte[] { 0x00, 0xAB, 0xff }, "X'00abff'" },
    };

    [Fact]
    public void Comparisons_UseTheirOperators()
    {
        Assert.Equal("n ne 1", TableFilter.NotEqual("n", 1));
        Assert.Equal("n gt 1", TableFilter.GreaterThan("n", 1));
        Assert.Equal("n ge 1", TableFilter.GreaterThanOrEqual("n", 1));
        Assert.Equal("n lt 1", TableFilter.LessThan("n", 1));
        Assert.Equal("n le 1", TableFilter.LessThanOrEqual("n", 1));
    }

    [Fact]
    public void AndOrNot_ParenthesiseEachPart()
    {
        var filter = TableFilter.And(
            TableFilter.Equal("PartitionKey", "BTCUSD"),
            TableFilter.Or(TableFilter.GreaterThanOrEqual("RowKey", "2026"), TableFilter.Not(TableFilter.Equal("ok", true))));

        Assert.Equal("(PartitionKey eq 'BTCUSD') and ((RowKey ge '2026') or (not (ok eq true)))", filter);
        Assert.Equal("a eq 1", TableFilter.And(TableFilter.Equal("a", 1)));
    }

    [Fact]
    public void Create_QuotesEveryInterpolatedValue()
    {
        var symbol = "BTC'USD";
        var from = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        var filter = TableFilter.Create($"PartitionKey eq {symbol} and at ge {from} and size gt {10L} and px lt {5.0}");

        Assert.Equal("PartitionKey eq 'BTC''USD' and at ge datetime'2026-01-01T00:00:00.0000000Z' and size gt 10L and px lt 5.0", filter);
    }

    [Theory]
    [InlineData("bad name")]
    [InlineData("x eq 1 or y")]
    [InlineData("")]
    [InlineData("1abc")]
    [InlineData("a@odata.type")]
    public void Equal_BadPropertyName_ThrowsNamingIt(string property)
    {
        var e = Assert.Throws<ArgumentException>(() => TableFilter.Equal(property, 1));

        Assert.Equal("property", e.ParamName);
        Assert.Contains($"'{property}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Literal_UnsupportedValues_Throw()
    {
        Assert.Contains("Decimal", Assert.Throws<ArgumentException>(() => TableFilter.Literal(1.5m)).Message, StringComparison.Ordinal);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => TableFilter.Literal(double.NaN)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => TableFilter.Literal(null!));
        Assert.Contains("null", Assert.Throws<ArgumentException>(() => TableFilter.Create($"a eq {(string?)null}")).Message, StringComparison.Ordinal);
        Assert.Contains("at least one", Assert.Throws<ArgumentException>(() => TableFilter.Or()).Message, StringComparison.Ordinal);
    }
}
