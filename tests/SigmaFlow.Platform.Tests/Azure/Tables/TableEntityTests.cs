using System.Text;
using System.Text.Json;
using SigmaFlow.Platform.Azure.Tables;

namespace SigmaFlow.Platform.Tests.Azure.Tables;

/// <summary>The entity's dictionary API, its guards, and its JSON in both directions.</summary>
public sealed class TableEntityTests
{
    [Fact]
    public void Indexer_SetAndGet_KeepsTypesAndOrder()
    {
        var entity = new TableEntity("p", "r") { ["b"] = 2, ["a"] = "x" };
        entity["c"] = 1.5;
        entity.Add("d", 7L);

        Assert.Equal(["b", "a", "c", "d"], entity.Keys);
        Assert.Equal(2, entity.GetInt32("b"));
        Assert.Equal(2L, entity.GetInt64("b"));
        Assert.Equal(2.0, entity.GetDouble("b"));
        Assert.Equal(7.0, entity.GetDouble("d"));
        Assert.Null(entity.GetString("missing"));
        Assert.Equal("p", entity["PartitionKey"]);
    }

    [Fact]
    public void Indexer_Null_RemovesTheProperty()
    {
        var entity = new TableEntity("p", "r") { ["a"] = 1 };

        entity["a"] = null;

        Assert.False(entity.ContainsKey("a"));
        Assert.Equal(0, entity.Count);
    }

    [Fact]
    public void TypedGetter_WrongType_ThrowsNamingBothTypes()
    {
        var entity = new TableEntity("p", "r") { ["price"] = 1.5 };

        var e = Assert.Throws<InvalidOperationException>(() => entity.GetInt64("price"));

        Assert.Contains("'price'", e.Message, StringComparison.Ordinal);
        Assert.Contains("a Double, not Int64", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DateTimes_AreStoredAsUtcOffsets()
    {
        var unspecified = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Unspecified);
        var entity = new TableEntity("p", "r") { ["u"] = unspecified, ["o"] = new DateTimeOffset(2026, 1, 1, 14, 0, 0, TimeSpan.FromHours(2)) };

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero), entity["u"]);
        Assert.Equal(TimeSpan.Zero, entity.GetDateTimeOffset("o")!.Value.Offset);
        Assert.Equal(DateTimeKind.Utc, entity.GetDateTime("o")!.Value.Kind);
        var early = Assert.Throws<ArgumentException>(() => entity["old"] = new DateTime(1600, 12, 31, 0, 0, 0, DateTimeKind.Utc));
        Assert.Contains("1601-01-01", early.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("a\u007fb")]
    public void Constructor_ForbiddenKeyCharacter_ThrowsNamingItsPosition(string key)
    {
        var e = Assert.Throws<ArgumentException>(() => new TableEntity(key, "r"));

        Assert.Equal("partitionKey", e.ParamName);
        Assert.Contains("at position 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KeyLongerThan1KiB_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new TableEntity("p", new string('k', 1025)));

        Assert.Equal("rowKey", e.ParamName);
        Assert.Contains("1024", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("9lives")]
    [InlineData("a.b")]
    [InlineData("")]
    public void Indexer_BadPropertyName_Throws(string name)
    {
        var entity = new TableEntity("p", "r");

        var e = Assert.Throws<ArgumentException>(() => entity[name] = 1);

        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_UnsupportedValueOrSystemProperty_Throws()
    {
        var entity = new TableEntity("p", "r");

        Assert.Contains("decimal", Assert.Throws<ArgumentException>(() => entity["price"] = 1.5m).Message, StringComparison.Ordinal);
        Assert.Contains("set by the service", Assert.Throws<ArgumentException>(() => entity["Timestamp"] = DateTimeOffset.UtcNow).Message, StringComparison.Ordinal);
        Assert.Contains("must be a string", Assert.Throws<ArgumentException>(() => entity["RowKey"] = 5).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_WritesAnnotationsWhereTheJsonTypeWouldLoseTheType()
    {
        var entity = new TableEntity("p", "r")
        {
            ["s"] = "x",
            ["b"] = true,
            ["i"] = 1,
            ["l"] = long.MinValue,
            ["d"] = 5.0,
            ["nan"] = double.NaN,
            ["ninf"] = double.NegativeInfinity,
            ["t"] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddTicks(1),
            ["bin"] = new byte[] { 1, 2, 3 },
            ["g"] = Guid.Empty,
        };

        var json = Encoding.UTF8.GetString(TableEntityJson.Serialize(entity));

        Assert.Equal(
            "{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"s\":\"x\",\"b\":true,\"i\":1,"
            + "\"l@odata.type\":\"Edm.Int64\",\"l\":\"-9223372036854775808\","
            + "\"d@odata.type\":\"Edm.Double\",\"d\":5,"
            + "\"nan@odata.type\":\"Edm.Double\",\"nan\":\"NaN\","
            + "\"ninf@odata.type\":\"Edm.Double\",\"ninf\":\"-Infinity\","
            + "\"t@odata.type\":\"Edm.DateTime\",\"t\":\"2026-01-01T00:00:00.0000001Z\","
            + "\"bin@odata.type\":\"Edm.Binary\",\"bin\":\"AQID\","
            + "\"g@odata.type\":\"Edm.Guid\",\"g\":\"00000000-0000-0000-0000-000000000000\"}",
            json);
    }

    [Fact]
    public void Read_MinimalMetadata_GivesEveryValueItsType()
    {
        const string json = """
            {"odata.etag":"W/\"datetime'2026-01-01T00%3A00%3A00Z'\"","PartitionKey":"p","RowKey":"r",
             "i":5,"d":5.0,"e":1e3,"big":3000000000,"l@odata.type":"Edm.Int64","l":"-7",
             "x@odata.type":"Edm.Double","x":"Infinity","n@odata.type":"Edm.Double","n":4,
             "t@odata.type":"Edm.DateTime","t":"2026-01-01T00:00:00.1234567Z","g@odata.type":"Edm.Guid","g":"00000000-0000-0000-0000-000000000001",
             "bin@odata.type":"Edm.Binary","bin":"AQID","s":"2026-01-01T00:00:00Z","nil":null,"Timestamp":"2026-02-03T04:05:06.789Z"}
            """;
        using var document = JsonDocument.Parse(json);

        var entity = TableEntityJson.Read(document.RootElement);

        Assert.Equal("W/\"datetime'2026-01-01T00%3A00%3A00Z'\"", entity.ETag.ToString());
        Assert.Equal(new DateTimeOffset(2026, 2, 3, 4, 5, 6, 789, TimeSpan.Zero), entity.Timestamp);
        Assert.IsType<int>(entity["i"]);
        Assert.IsType<double>(entity["d"]);
        Assert.IsType<double>(entity["e"]);
        Assert.Equal(3_000_000_000.0, entity["big"]);
        Assert.Equal(-7L, entity["l"]);
        Assert.Equal(double.PositiveInfinity, entity["x"]);
        Assert.Equal(4.0, entity["n"]);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), entity["t"]);
        Assert.Equal(new Guid("00000000-0000-0000-0000-000000000001"), entity["g"]);
        Assert.Equal(new byte[] { 1, 2, 3 }, entity.GetBinary("bin"));
        Assert.Equal("2026-01-01T00:00:00Z", entity["s"]);
        Assert.False(entity.ContainsKey("nil"));
        Assert.Equal(["i", "d", "e", "big", "l", "x", "n", "t", "g", "bin", "s"], entity.Keys);
    }

    [Theory]
    [InlineData("{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"v@odata.type\":\"Edm.Decimal\",\"v\":\"1\"}", "Edm.Decimal")]
    [InlineData("{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"v@odata.type\":\"Edm.Int64\",\"v\":\"abc\"}", "\"abc\"")]
    [InlineData("{\"PartitionKey\":\"p\",\"RowKey\":\"r\",\"v@odata.type\":\"Edm.Guid\",\"v\":\"nope\"}", "Edm.Guid")]
    public void Read_ValueNotMatchingItsAnnotation_ThrowsNamingTheProperty(string json, string fragment)
    {
        using var document = JsonDocument.Parse(json);

        var e = Assert.Throws<FormatException>(() => TableEntityJson.Read(document.RootElement));

        Assert.Contains("Property 'v'", e.Message, StringComparison.Ordinal);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }
}
