using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Tests.Live;

/// <summary>The pushed and queued JSON messages.</summary>
public sealed class LiveMessagesTests
{
    [Fact]
    public void Messages_HaveTheirTypeAndFields_NullForWhatIsNotKnown()
    {
        var bar = new BarUpdate("BTCUSD", Timeframe.Parse("5m"), new Ohlcv(1_767_225_600_000, 65000.5, 65010, 64990.25, 65001.75, 12.5), true);
        using (var json = JsonDocument.Parse(LiveMessages.Bar(bar, [1.5, double.NaN], ["sma(20).sma", "rsi(14).rsi"])))
        {
            Assert.Equal("""{"type":"bar","symbol":"BTCUSD","timeframe":"5m","time":1767225600000,"open":65000.5,"high":65010,"low":64990.25,"close":65001.75,"volume":12.5,"final":true,"indicators":{"sma(20).sma":1.5,"rsi(14).rsi":null}}""", json.RootElement.GetRawText());
        }

        var quote = Encoding.UTF8.GetString(LiveMessages.Quote(new Tick("ETHUSD", 5, 3500.1, 0.2)));
        Assert.Equal("""{"type":"quote","symbol":"ETHUSD","time":5,"price":3500.1,"size":0.2,"bid":null,"ask":null,"seq":null}""", quote);

        var signal = new SignalEvent("BTCUSD", "ema-cross", Timeframe.Parse("1m"), SignalKind.ShortExit, 60_000, 101.25);
        Assert.Equal("""{"type":"signal","id":"BTCUSD|ema-cross|1m|ShortExit|60000","symbol":"BTCUSD","strategy":"ema-cross","timeframe":"1m","kind":"shortExit","time":60000,"price":101.25}""", LiveMessages.Signal(signal));
    }

    [Fact]
    public void TryFormatDecimal_WritesOnlyTextThatReadsBackAsTheSameDouble()
    {
        var random = new Random(5);
        Span<byte> buffer = stackalloc byte[32];
        var fast = 0;
        for (var i = 0; i < 200_000; i++)
        {
            var value = (i % 4) switch
            {
                0 => Math.Round((random.NextDouble() - 0.3) * Math.Pow(10, random.Next(0, 9)), random.Next(0, 9)),
                1 => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-12, 16)),
                2 => random.Next(-1_000_000, 1_000_000) / 100.0,
                _ => BitConverter.Int64BitsToDouble(random.NextInt64()),
            };
            if (!LiveMessages.TryFormatDecimal(value, buffer, out var written))
            {
                continue;
            }

            fast++;
            var text = Encoding.ASCII.GetString(buffer[..written]);
            Assert.Equal(value, double.Parse(text, CultureInfo.InvariantCulture));
            Assert.DoesNotContain('E', text);
            Assert.True(JsonDocument.Parse(text).RootElement.GetDouble() == value, text);
        }

        Assert.True(fast > 90_000, $"{fast} values took the fast path");
        Assert.False(LiveMessages.TryFormatDecimal(double.NaN, buffer, out _));
        Assert.False(LiveMessages.TryFormatDecimal(1e20, buffer, out _));
        Assert.True(LiveMessages.TryFormatDecimal(-0.05, buffer, out var n));
        Assert.Equal("-0.05", Encoding.ASCII.GetString(buffer[..n]));
    }

    [Fact]
    public void TryFormatDecimal_QuickRefusal_NeverRefusesAValueOneOfTheDecimalsWouldTake()
    {
        // The refusal after one multiplication must agree with trying every number of decimals, on values with up to 8
        // decimals (taken) and on values just beside them (one or a few units of the last place away: refused).
        var random = new Random(11);
        Span<byte> buffer = stackalloc byte[32];
        for (var i = 0; i < 300_000; i++)
        {
            var decimals = random.Next(0, 9);
            var value = Math.Round((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-8, 16)), decimals);
            value = (i % 3) switch
            {
                0 => value,
                1 => Math.BitIncrement(value),
                _ => BitConverter.Int64BitsToDouble(BitConverter.DoubleToInt64Bits(value) + random.Next(-4, 5)),
            };
            var fast = LiveMessages.TryFormatDecimal(value, buffer, out var written);
            Assert.True(fast == TakesSomeDecimals(value), $"{value:R}: {fast}");
            if (fast)
            {
                Assert.Equal(value, double.Parse(Encoding.ASCII.GetString(buffer[..written]), CultureInfo.InvariantCulture));
            }
        }

        static bool TakesSomeDecimals(double value)
        {
            if (!double.IsFinite(value) || Math.Abs(value) >= 1e15)
            {
                return false;
            }

            for (var k = 0; k <= 8; k++)
            {
                var power = Math.Pow(10, k);
                var scaled = Math.Round(value * power);
                if (Math.Abs(scaled) < 9e15 && scaled / power == value)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
