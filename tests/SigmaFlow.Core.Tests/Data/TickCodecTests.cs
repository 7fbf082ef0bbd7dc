using System.Globalization;
using System.Text;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Tests.Data;

/// <summary>
/// The hand-written reader of the common tick shape against the general reader: every input gives the same tick (doubles
/// bit for bit, the same interned symbol) or the same error, and numbers are the doubles <see cref="double.Parse(string, IFormatProvider?)"/> gives.
/// </summary>
public sealed class TickCodecTests
{
    private const string Common = """{"symbol":"BTCUSD","time":1767225600030,"price":65007.53,"size":0.0003,"bid":64994.86,"ask":65007.53,"seq":12}""";

    [Theory]
    [InlineData(Common)]
    [InlineData("""{"symbol":"A","time":1,"price":1}""")]
    [InlineData("""{"seq":3,"ask":2,"bid":1,"size":4,"price":1.5,"time":7,"symbol":"Z"}""")]
    [InlineData(" \n\t{ \"symbol\" : \"A\" ,\r\n \"time\" : 1 , \"price\" : 2 } ")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"bid":null,"ask":null}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"bid":5,"bid":null}""")]
    [InlineData("""{"symbol":"A","symbol":"B","time":1,"time":2,"price":1,"price":3}""")]
    [InlineData("""{"symbol":"A","time":-5,"price":-1.5,"size":-0.0}""")]
    [InlineData("""{"symbol":"A","time":0,"price":0,"seq":0}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1} trailing text the readers never look at""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"exchange":"X","flag":true,"off":false,"none":null,"q":-1.5e3,"note":"a\"b\u00e9/\n"}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"sym\u0062ol":"B","pric\u0065":5}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"é":"ü"}""")]
    [InlineData("""{"symbol":"BTCUSD","time":1767225600030,"price":65007.53}""")]
    [InlineData("""{"symbol":"BTCUSD","time":1767225600030,"price":65007.53,"size":1,"seq":4}""")]
    public void TryParse_CommonShapes_TheFastReaderTakesThemAsTheGeneralOneDoes(string json)
    {
        Assert.True(TickCodec.TryParseCommon(Encoding.UTF8.GetBytes(json), null, out _));
        AssertSameAsGeneral(json);
    }

    [Theory]
    [InlineData("1e2")]
    [InlineData("1E2")]
    [InlineData("1e+2")]
    [InlineData("1.5e-3")]
    [InlineData("-2.5E+10")]
    [InlineData("1e22")]
    [InlineData("1e23")]
    [InlineData("9007199254740993")]
    [InlineData("9007199254740992.5")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.1234567890123456789012345")]
    [InlineData("1.7976931348623157e308")]
    [InlineData("1.8e308")]
    [InlineData("4.9e-324")]
    [InlineData("2e-324")]
    [InlineData("1e-400")]
    [InlineData("1e400")]
    [InlineData("1e99999999999")]
    [InlineData("-0")]
    [InlineData("-0.0e5")]
    [InlineData("0.000")]
    [InlineData("00")]
    [InlineData("01")]
    [InlineData("-01.5")]
    [InlineData("1.")]
    [InlineData(".5")]
    [InlineData("1.e5")]
    [InlineData("1e")]
    [InlineData("1e+")]
    [InlineData("-")]
    [InlineData("+1")]
    [InlineData("1x")]
    [InlineData("1 2")]
    [InlineData("NaN")]
    [InlineData("\"1.5\"")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1]")]
    public void TryParse_NumberForms_SameAsTheGeneralReaderForEveryMember(string number)
    {
        foreach (var member in new[] { "price", "size", "bid", "ask", "time", "seq" })
        {
            var json = member switch
            {
                "time" => $$"""{"symbol":"A","time":{{number}},"price":1}""",
                "price" => $$"""{"symbol":"A","time":1,"price":{{number}}}""",
                _ => $$"""{"symbol":"A","time":1,"price":1,"{{member}}":{{number}}}""",
            };
            AssertSameAsGeneral(json);
        }
    }

    [Theory]
    [InlineData("1767225600030")]
    [InlineData("999999999999999999")]
    [InlineData("9223372036854775807")]
    [InlineData("9223372036854775808")]
    [InlineData("-9223372036854775808")]
    [InlineData("1.0")]
    [InlineData("1e3")]
    [InlineData("\"2026-01-01T00:00:01.5Z\"")]
    [InlineData("\"1767225600030\"")]
    public void TryParse_TimeAndSequenceForms_SameAsTheGeneralReader(string value)
    {
        AssertSameAsGeneral($$"""{"symbol":"A","time":{{value}},"price":1}""");
        AssertSameAsGeneral($$"""{"symbol":"A","time":1,"price":1,"seq":{{value}}}""");
    }

    [Theory]
    [InlineData("\"\"")]
    [InlineData("\"ÉTÉ/€\"")]
    [InlineData("\"A\\\"B\"")]
    [InlineData("\"A\\u0042\"")]
    [InlineData("\"A B\"")]
    [InlineData("\"A\tB\"")]
    [InlineData("\"A~\"")]
    [InlineData("5")]
    [InlineData("null")]
    [InlineData("\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"")]
    public void TryParse_SymbolForms_SameAsTheGeneralReader(string symbol)
    {
        AssertSameAsGeneral($$"""{"symbol":{{symbol}},"time":1,"price":1}""");
    }

    [Theory]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":{"a":[1,2]}}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":[1]}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":"\ud800"}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":"\x"}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":"\u12"}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":tru}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":01}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":1.}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"ex\"tra":1}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra" 1}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,"extra":"a""")]
    [InlineData("""{"Symbol":"A","time":1,"price":1}""")]
    [InlineData("""{"sym\u0062ol":"A","time":1,"price":1}""")]
    [InlineData("""{"symbol":"A","time":1}""")]
    [InlineData("""{"symbol":"A","price":1}""")]
    [InlineData("""{"time":1,"price":1}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1,}""")]
    [InlineData("""{"symbol":"A","time":1,"price":1""")]
    [InlineData("""{"symbol":"A","time":1 "price":1}""")]
    [InlineData("""{"symbol" "A","time":1,"price":1}""")]
    [InlineData("""{}""")]
    [InlineData("""[]""")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("\uFEFF{\"symbol\":\"A\",\"time\":1,\"price\":1}")]
    public void TryParse_OtherShapes_SameAsTheGeneralReader(string json)
    {
        AssertSameAsGeneral(json);
    }

    [Fact]
    public void TryParse_EveryTruncation_SameAsTheGeneralReader()
    {
        for (var length = 0; length <= Common.Length; length++)
        {
            AssertSameAsGeneral(Common[..length]);
        }
    }

    [Fact]
    public void TryParse_MutatedTicks_SameAsTheGeneralReader()
    {
        // Bytes that matter to JSON and to the fast reader's shortcuts, inserted, replaced and deleted at random places.
        byte[] interesting = [(byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)',', (byte)':', (byte)'u', (byte)'0', (byte)'5', (byte)'-',
            (byte)'.', (byte)'e', (byte)'E', (byte)'+', (byte)' ', (byte)'\n', 0x01, 0xC3, 0xA9, 0xFF, (byte)'n', (byte)'t', (byte)'x'];
        string[] ticks = [Common, """{"symbol":"A","time":1,"price":1,"note":"x\"y","flag":true}""", " { \"price\" : 1.5e2 , \"symbol\" : \"B\" , \"time\" : 7 } "];
        var random = new Random(3);
        for (var round = 0; round < 20_000; round++)
        {
            var text = Encoding.UTF8.GetBytes(ticks[random.Next(ticks.Length)]).ToList();
            for (var edits = random.Next(1, 3); edits > 0 && text.Count > 0; edits--)
            {
                var at = random.Next(text.Count);
                switch (random.Next(4))
                {
                    case 0:
                        text.Insert(at, interesting[random.Next(interesting.Length)]);
                        break;
                    case 1:
                        text[at] = interesting[random.Next(interesting.Length)];
                        break;
                    case 2:
                        text.RemoveAt(at);
                        break;
                    default:
                        text[at] = char.IsAsciiDigit((char)text[at]) ? (byte)('0' + random.Next(10)) : text[at];
                        break;
                }
            }

            AssertSameAsGeneral(text.ToArray());
        }
    }

    [Fact]
    public void TryParse_RandomDoubles_ExactlyWhatDoubleParseGives()
    {
        var random = new Random(42);
        for (var i = 0; i < 20_000; i++)
        {
            // Random bits (any finite double) and random short decimals (what prices look like), in several text forms.
            var value = i % 2 == 0
                ? BitConverter.Int64BitsToDouble(random.NextInt64())
                : Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(-3, 9)), random.Next(0, 9));
            if (!double.IsFinite(value))
            {
                continue;
            }

            foreach (var text in new[] { value.ToString("R", CultureInfo.InvariantCulture), value.ToString("E16", CultureInfo.InvariantCulture), value.ToString("F" + random.Next(0, 12), CultureInfo.InvariantCulture) })
            {
                var json = $$"""{"symbol":"A","time":1,"price":{{text}}}""";
                var expected = double.Parse(text, CultureInfo.InvariantCulture);
                if (!double.IsFinite(expected))
                {
                    continue;
                }

                Assert.True(TickCodec.TryParse(Encoding.UTF8.GetBytes(json), null, out var tick, out var error), error);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(tick.Price));
            }
        }
    }

    [Fact]
    public void TryParse_RandomDigitStrings_ExactlyWhatDoubleParseGives()
    {
        // Long and short mantissas, decimal points anywhere, exponents: the fast path's boundaries (19 digits, 2^53, 10^22).
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var digits = new StringBuilder();
            digits.Append((char)('1' + random.Next(9)));
            for (var d = random.Next(0, 25); d > 0; d--)
            {
                digits.Append((char)('0' + random.Next(10)));
            }

            if (random.Next(2) == 0)
            {
                digits.Insert(random.Next(1, digits.Length + 1), '.');
                if (digits[^1] == '.')
                {
                    digits.Append('0');
                }
            }

            if (random.Next(3) == 0)
            {
                digits.Append('e').Append(random.Next(-40, 40).ToString(CultureInfo.InvariantCulture));
            }

            var text = (random.Next(2) == 0 ? "-" : string.Empty) + digits;
            var json = $$"""{"symbol":"A","time":1,"price":{{text}}}""";
            Assert.True(TickCodec.TryParse(Encoding.UTF8.GetBytes(json), null, out var tick, out var error), $"{text}: {error}");
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(text, CultureInfo.InvariantCulture)), BitConverter.DoubleToInt64Bits(tick.Price));
        }
    }

    [Fact]
    public void TryParse_WithASymbolTable_TheSameStringAsTheGeneralReaderInterns()
    {
        var table = new SymbolTable();
        Assert.True(TickCodec.TryParseGeneral(Encoding.UTF8.GetBytes(Common), table, out var general, out _));
        Assert.True(TickCodec.TryParse(Encoding.UTF8.GetBytes(Common), table, out var fast, out _));
        Assert.Same(general.Symbol, fast.Symbol);
        Assert.Equal(1, table.Count);
    }

    [Fact]
    public void SymbolTable_Utf8Lookups_GiveTheStringTheCharacterLookupKeeps()
    {
        var table = new SymbolTable();
        var symbols = Enumerable.Range(0, 300).Select(i => "S" + i.ToString(CultureInfo.InvariantCulture)).Append("ÉTÉ").Append(new string('X', 80)).ToArray();
        foreach (var round in Enumerable.Range(0, 3))
        {
            foreach (var symbol in symbols)
            {
                var byChars = table.Intern(symbol.AsSpan());
                Assert.Same(byChars, table.Intern(Encoding.UTF8.GetBytes(symbol)));
                Assert.Equal(symbol, byChars);
            }
        }

        Assert.Equal(symbols.Length, table.Count);

        // A full table keeps nothing more, by bytes as by characters.
        var full = new SymbolTable(capacity: 1);
        Assert.Same(full.Intern("A"u8), full.Intern("A"u8));
        Assert.NotSame(full.Intern("B"u8), full.Intern("B"u8));
        Assert.Equal("B", full.Intern("B"u8));
        Assert.Equal(1, full.Count);
    }

    /// <summary>The reader the pipeline uses and the general reader give the same verdict, tick and message, and intern alike.</summary>
    private static void AssertSameAsGeneral(string json) => AssertSameAsGeneral(Encoding.UTF8.GetBytes(json));

    private static void AssertSameAsGeneral(byte[] utf8)
    {
        var json = Encoding.UTF8.GetString(utf8);
        SymbolTable generalTable = new(), fastTable = new();
        var general = TickCodec.TryParseGeneral(utf8, generalTable, out var expected, out var expectedError);
        var fast = TickCodec.TryParse(utf8, fastTable, out var actual, out var actualError);
        Assert.True(general == fast, $"{json}: general {general} ({expectedError}), fast {fast} ({actualError})");
        Assert.Equal(expectedError, actualError);
        Assert.Equal(expected.Symbol, actual.Symbol);
        Assert.Equal(expected.Time, actual.Time);
        Assert.Equal(expected.Sequence, actual.Sequence);
        foreach (var (e, a) in new[] { (expected.Price, actual.Price), (expected.Size, actual.Size), (expected.Bid, actual.Bid), (expected.Ask, actual.Ask) })
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(e), BitConverter.DoubleToInt64Bits(a));
        }

        Assert.Equal(generalTable.Count, fastTable.Count);
    }
}
