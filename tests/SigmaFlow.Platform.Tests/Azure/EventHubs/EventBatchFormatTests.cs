using System.Text;
using System.Text.Json;
using SigmaFlow.Platform.Azure.EventHubs;

namespace SigmaFlow.Platform.Tests.Azure.EventHubs;

/// <summary>The REST batch items and the split of a batch into requests under the byte limit.</summary>
public sealed class EventBatchFormatTests
{
    [Fact]
    public void SerializeItem_TextWithProperties_IsBodyAndUserProperties()
    {
        var data = new EventData("{\"sym\":\"BTCUSD\",\"px\":65000.1}", new Dictionary<string, object> { ["src"] = "feed1", ["n"] = 3, ["live"] = true, ["w"] = 0.5 });
        var json = Encoding.UTF8.GetString(EventBatchFormat.SerializeItem(data, null));
        Assert.Equal("{\"Body\":\"{\\\"sym\\\":\\\"BTCUSD\\\",\\\"px\\\":65000.1}\",\"UserProperties\":{\"src\":\"feed1\",\"n\":3,\"live\":true,\"w\":0.5}}", json);
    }

    [Fact]
    public void SerializeItem_BytesAndPartitionKey_IsBase64WithFlagAndBrokerProperties()
    {
        var json = Encoding.UTF8.GetString(EventBatchFormat.SerializeItem(new EventData([0, 1, 2, 250, 251, 252]), "BTCUSD"));
        Assert.Equal("{\"Body\":\"AAEC+vv8\",\"IsBodyBase64\":true,\"BrokerProperties\":{\"PartitionKey\":\"BTCUSD\"}}", json);
    }

    [Fact]
    public void SerializeItem_NonAsciiText_StaysUtf8AndRoundTrips()
    {
        var text = "{\"sym\":\"€URO\",\"note\":\"<ok> & 'fine'\"}";
        var bytes = EventBatchFormat.SerializeItem(new EventData(text), null);
        using var parsed = JsonDocument.Parse(bytes);
        Assert.Equal(text, parsed.RootElement.GetProperty("Body").GetString());
        Assert.Contains("€URO", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void BrokerPropertiesHeader_NonAsciiKey_IsAsciiJson()
    {
        var header = EventBatchFormat.BrokerPropertiesHeader("€URO");
        Assert.All(header, c => Assert.True(c < 128));
        using var parsed = JsonDocument.Parse(header);
        Assert.Equal("€URO", parsed.RootElement.GetProperty("PartitionKey").GetString());
    }

    [Fact]
    public void Split_ManyItems_EveryRequestFitsAndOrderIsKept()
    {
        var items = Enumerable.Range(0, 200).Select(i => EventBatchFormat.SerializeItem(new EventData(new string('x', i % 37)), "K")).ToList();
        const int Limit = 400;
        var (requests, rejected) = EventBatchFormat.Split(items, Limit);
        Assert.Empty(rejected);
        Assert.True(requests.Count > 1);
        Assert.Equal(Enumerable.Range(0, 200), requests.SelectMany(r => r));
        foreach (var request in requests)
        {
            var body = EventBatchFormat.Join(items, request);
            Assert.True(body.Length <= Limit, $"request of {body.Length} bytes");
            using var parsed = JsonDocument.Parse(body);
            Assert.Equal(request.Count, parsed.RootElement.GetArrayLength());
        }

        // Greedy: no request could have taken the next item as well.
        for (var r = 0; r < requests.Count - 1; r++)
        {
            var withNext = requests[r].Append(requests[r + 1][0]).ToList();
            Assert.True(EventBatchFormat.Join(items, withNext).Length > Limit);
        }
    }

    [Fact]
    public void Split_ItemExactlyAtTheLimit_IsSentAlone()
    {
        var item = EventBatchFormat.SerializeItem(new EventData("abc"), null);
        var (requests, rejected) = EventBatchFormat.Split([item, item], item.Length + 2);
        Assert.Empty(rejected);
        Assert.Equal(2, requests.Count);
        Assert.Equal(item.Length + 2, EventBatchFormat.Join([item, item], requests[0]).Length);
    }

    [Fact]
    public void Split_OversizeItem_IsRejectedWithIndexSizeAndLimitAndTheRestGo()
    {
        var small = EventBatchFormat.SerializeItem(new EventData("tick"), null);
        var large = EventBatchFormat.SerializeItem(new EventData(new string('y', 500)), null);
        var (requests, rejected) = EventBatchFormat.Split([small, large, small], 256);
        var rejection = Assert.Single(rejected);
        Assert.Equal(1, rejection.Index);
        Assert.Equal(large.Length, rejection.SizeBytes);
        Assert.Contains("event 1 ", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains($"{large.Length} bytes", rejection.Reason, StringComparison.Ordinal);
        Assert.Contains("limit of 256 bytes", rejection.Reason, StringComparison.Ordinal);
        Assert.Equal([0, 2], requests.SelectMany(r => r).ToArray());
    }

    [Fact]
    public void EventData_UnsupportedPropertyValue_NamesPropertyAndType()
    {
        var error = Assert.Throws<ArgumentException>(() => new EventData("x", new Dictionary<string, object> { ["when"] = DateTime.UnixEpoch }));
        Assert.Contains("'when'", error.Message, StringComparison.Ordinal);
        Assert.Contains("DateTime", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new EventData("x", new Dictionary<string, object> { ["px"] = double.NaN }));
        Assert.Throws<ArgumentException>(() => new EventData("x", new Dictionary<string, object> { [" "] = 1 }));
    }

    [Fact]
    public void EventData_Bytes_AreCopied()
    {
        var source = new byte[] { 1, 2, 3 };
        var data = new EventData(source);
        source[0] = 9;
        Assert.Equal(new byte[] { 1, 2, 3 }, data.Body.ToArray());
        Assert.True(data.IsBinary);
        Assert.Null(data.Text);
    }
}
