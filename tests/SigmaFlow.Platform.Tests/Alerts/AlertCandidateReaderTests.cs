using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Platform.Alerts;
using SigmaFlow.Platform.Live;

namespace SigmaFlow.Platform.Tests.Alerts;

/// <summary>The two shapes of the alerts queue: the live pipeline's signal message and the alert candidate contract.</summary>
public sealed class AlertCandidateReaderTests
{
    private const long T0 = 1_767_225_600_000;

    [Fact]
    public void Read_TheLivePipelinesSignalMessage_KeepsItsStableId()
    {
        var signal = new SignalEvent("BTCUSD", "ema-cross", Timeframe.Parse("1m"), SignalKind.LongEntry, T0, 65000.5);
        var read = AlertCandidateReader.Read(LiveMessages.Signal(signal));
        Assert.True(read.Succeeded, read.Describe());
        var candidate = read.Value!;
        Assert.Equal(AlertCandidate.ForSignal(signal), candidate);
        Assert.Equal("BTCUSD|ema-cross|1m|LongEntry|1767225600000", candidate.Id);
        Assert.Equal("r1|BTCUSD|ema-cross|1m|LongEntry|1767225600000", candidate.AlertIdFor("r1"));
    }

    [Fact]
    public void Read_ASignalWithoutId_MakesTheSameIdAsThePipeline()
    {
        var read = AlertCandidateReader.Read("""{"type":"signal","symbol":"ETHUSD","strategy":"s","timeframe":"60m","kind":"shortExit","time":1767225600000,"price":null,"extra":"ignored"}""");
        Assert.True(read.Succeeded, read.Describe());
        Assert.Equal(new SignalEvent("ETHUSD", "s", Timeframe.Parse("1h"), SignalKind.ShortExit, T0, double.NaN).Id, read.Value!.Id);
        Assert.Null(read.Value.Price);
        Assert.Equal("1h", read.Value.Timeframe);
    }

    [Fact]
    public void Read_AnAlertCandidate_GivesItsStableId_AndRoundTripsThroughToQueueMessage()
    {
        var read = AlertCandidateReader.Read("""{"type":"alert","ruleId":"btc-100k","symbol":"BTCUSD","time":"2026-01-01T00:00:00Z","values":{"close":100012.5,"level":100000,"rsi(14)":null},"text":"BTCUSD crossed above 100000"}""");
        Assert.True(read.Succeeded, read.Describe());
        var candidate = read.Value!;
        Assert.Equal("btc-100k|BTCUSD|1767225600000", candidate.Id);
        Assert.Equal(candidate.Id, candidate.AlertIdFor("btc-100k"));
        Assert.Equal(100012.5, candidate.Price);
        Assert.Equal([new("close", 100012.5), new("level", 100000.0), new KeyValuePair<string, double?>("rsi(14)", null)], candidate.Values);
        var again = AlertCandidateReader.Read(candidate.ToQueueMessage()).Value!;
        Assert.Equal(candidate.Id, again.Id);
        Assert.Equal(candidate.Values, again.Values);
        Assert.Equal(candidate.Text, again.Text);
        Assert.Equal("""{"type":"alert","ruleId":"btc-100k","symbol":"BTCUSD","time":1767225600000,"values":{"close":100012.5,"level":100000,"rsi(14)":null},"text":"BTCUSD crossed above 100000"}""", candidate.ToQueueMessage());
    }

    [Theory]
    [InlineData("", "(message) must be a JSON object with a type of signal or alert; got nothing")]
    [InlineData("not json", "(message) is not valid JSON (line 1, byte 2); got 'not json'")]
    [InlineData("[1]", "(message) must be a JSON object with a type of signal or alert; got an array")]
    [InlineData("""{"symbol":"BTCUSD"}""", "type is required: signal or alert")]
    [InlineData("""{"type":"tick"}""", "type must be signal or alert; got 'tick'")]
    public void Read_NotACandidate_SaysWhy(string text, string expected)
    {
        Assert.Equal(expected, Assert.Single(AlertCandidateReader.Read(text).Problems).Message);
    }

    [Fact]
    public void Read_ABadSignal_ReportsEveryField()
    {
        var messages = AlertCandidateReader.Read("""{"type":"signal","symbol":"BTC USD","strategy":"","timeframe":"2x","kind":"sideways","time":-5,"price":"cheap","id":7}""").Problems.Select(p => p.Message).ToList();
        Assert.Equal(
            [
                "symbol must be a symbol of 1 to 64 characters without white space or control characters; got 'BTC USD'",
                "strategy must be 1 to 100 characters without control characters; got ''",
                "timeframe must be a timeframe such as 1m, 15m, 1h or 1d; got '2x'",
                "kind must be longEntry, longExit, shortEntry or shortExit; got 'sideways'",
                "time must be Unix milliseconds (a whole number from 0) or an ISO 8601 time from 1970; got -5",
                "price must be a number or null; got 'cheap'",
                "id must be 1 to 512 characters without control characters; got 7",
            ],
            messages);
    }

    [Fact]
    public void Read_ABadAlert_ReportsEveryField()
    {
        var values = string.Join(",", Enumerable.Range(0, 21).Select(i => $"\"v{i}\":{i}"));
        var messages = AlertCandidateReader.Read("{\"type\":\"alert\",\"ruleId\":\"no spaces\",\"symbol\":5,\"values\":{" + values + "},\"text\":{\"a\":1}}").Problems.Select(p => p.Message).ToList();
        Assert.Equal(
            [
                "ruleId must be 1 to 64 letters, digits, '.', '_' or '-'; got 'no spaces'",
                "symbol is required: a symbol of 1 to 64 characters without white space; got 5",
                "time is required: Unix milliseconds or an ISO 8601 time",
                "values must hold at most 20 values; got 21 values",
                "text must be a string; got an object",
            ],
            messages);
        Assert.Equal("values.x must be a number or null; got 'NaN'", Assert.Single(AlertCandidateReader.Read("""{"type":"alert","ruleId":"r","symbol":"S","time":0,"values":{"x":"NaN"}}""").Problems).Message);
        Assert.Equal("text must be at most 1000 characters; got 1001 characters", Assert.Single(AlertCandidateReader.Read($$"""{"type":"alert","ruleId":"r","symbol":"S","time":0,"text":"{{new string('x', 1001)}}"}""").Problems).Message);
    }
}
