using System.Diagnostics;
using System.Net;
using System.Text;
using Azure;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Queues;

/// <summary>The queue client against a real Azurite: every operation, visibility, expiry, encodings and limits.</summary>
public sealed class QueueClientTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private QueueServiceClient Service(HttpMessageHandler? handler = null) => new(azurite.ConnectionString, QueueTestKit.Options(handler));

    private async Task<QueueClient> NewQueueAsync(string prefix, QueueMessageEncoding encoding = QueueMessageEncoding.None, HttpMessageHandler? handler = null)
    {
        var queue = Service(handler).GetQueueClient(QueueTestKit.UniqueName(prefix), encoding);
        Assert.True(await queue.CreateIfNotExistsAsync(Token));
        return queue;
    }

    [Fact]
    public async Task CreateIfNotExistsAsync_NewThenExisting_ReturnsTrueThenFalse()
    {
        var queue = Service().GetQueueClient(QueueTestKit.UniqueName("create"));
        Assert.True(await queue.CreateIfNotExistsAsync(Token));
        Assert.False(await queue.CreateIfNotExistsAsync(Token));
        await queue.CreateAsync(Token); // an existing queue without metadata is not an error for the service
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync(Token));
    }

    [Fact]
    public async Task DeleteQueueAsync_ExistingThenMissing_DeletesThenThrows404()
    {
        var queue = await NewQueueAsync("delete");
        await queue.SendAsync("x", cancellationToken: Token);
        await queue.DeleteQueueAsync(Token);
        Assert.False(await queue.DeleteQueueIfExistsAsync(Token));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteQueueAsync(Token));
        Assert.Equal(404, e.Status);
        Assert.Equal("QueueNotFound", e.ErrorCode);
        Assert.StartsWith($"Delete Queue '{queue.Name}' failed: HTTP 404 QueueNotFound", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteQueueIfExistsAsync_Existing_ReturnsTrue()
    {
        var queue = await NewQueueAsync("delete-if");
        Assert.True(await queue.DeleteQueueIfExistsAsync(Token));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.GetApproximateMessageCountAsync(Token));
        Assert.Equal(404, e.Status);
    }

    [Fact]
    public async Task SendAsync_MissingQueue_Throws404NamingQueueWithHint()
    {
        var queue = Service().GetQueueClient(QueueTestKit.UniqueName("missing"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendAsync("x", cancellationToken: Token));
        Assert.Equal(404, e.Status);
        Assert.Equal("QueueNotFound", e.ErrorCode);
        Assert.Contains($"Put Message on queue '{queue.Name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains("CreateIfNotExistsAsync", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendReceiveDelete_OneMessage_FieldsAgreeAndQueueEndsEmpty()
    {
        var queue = await NewQueueAsync("roundtrip");
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        var sent = await queue.SendAsync("{\"runId\":\"r1\",\"shard\":3}", cancellationToken: Token);
        Assert.InRange(sent.InsertedOn, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(sent.InsertedOn.AddDays(7), sent.ExpiresOn);
        Assert.Equal(sent.InsertedOn, sent.NextVisibleOn);
        Assert.Equal(1, await queue.GetApproximateMessageCountAsync(Token));

        var received = Assert.Single(await queue.ReceiveAsync(32, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(sent.MessageId, received.MessageId);
        Assert.Equal("{\"runId\":\"r1\",\"shard\":3}", received.Text);
        Assert.Equal(1, received.DequeueCount);
        Assert.Equal(sent.InsertedOn, received.InsertedOn);
        Assert.Equal(sent.ExpiresOn, received.ExpiresOn);
        Assert.InRange(received.NextVisibleOn, DateTimeOffset.UtcNow.AddSeconds(20), DateTimeOffset.UtcNow.AddSeconds(40));
        Assert.NotEqual(sent.PopReceipt, received.PopReceipt);
        Assert.Null(received.DecodingError);
        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token)); // hidden from other receivers

        await queue.DeleteAsync(received.MessageId, received.PopReceipt, Token);
        Assert.Empty(await queue.PeekAsync(32, Token));
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync(Token));
    }

    [Fact]
    public async Task ReceiveAsync_FortyMessages_ReturnsAtMostThirtyTwo()
    {
        var queue = await NewQueueAsync("batch");
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => queue.SendAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken: Token)));
        var first = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(60), Token);
        var second = await queue.ReceiveAsync(32, TimeSpan.FromSeconds(60), Token);
        Assert.Equal(32, first.Count);
        Assert.Equal(8, second.Count);
        Assert.Equal(40, first.Concat(second).Select(m => m.Text).Distinct().Count());
    }

    [Fact]
    public async Task SendAsync_VisibilityDelayTwoSeconds_ReceivedOnlyAfterTheDelay()
    {
        var queue = await NewQueueAsync("delay");
        var clock = Stopwatch.StartNew();
        var sent = await queue.SendAsync("later", TimeSpan.FromSeconds(2), cancellationToken: Token);
        Assert.Equal(sent.InsertedOn.AddSeconds(2), sent.NextVisibleOn);
        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));
        Assert.Empty(await queue.PeekAsync(1, Token));

        var message = Assert.Single(await QueueTestKit.ReceiveWithinAsync(queue, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), Token));
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.5), $"received after {clock.Elapsed}");
        Assert.Equal(("later", sent.MessageId), (message.Text, message.MessageId));
    }

    [Fact]
    public async Task ReceiveAsync_NotDeletedWithinVisibilityTimeout_RedeliveredWithDequeueCountTwo()
    {
        // What the Functions host counts against maxDequeueCount before moving a message to <queue>-poison.
        var queue = await NewQueueAsync("redeliver");
        await queue.SendAsync("fails once", cancellationToken: Token);
        var first = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(1), Token));
        Assert.Equal(1, first.DequeueCount);

        var second = Assert.Single(await QueueTestKit.ReceiveWithinAsync(queue, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30), Token));
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.Equal(2, second.DequeueCount);
        Assert.Equal("fails once", second.Text);
        Assert.NotEqual(first.PopReceipt, second.PopReceipt);

        // The first delivery's receipt no longer deletes the message; the current one does.
        var stale = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteAsync(first.MessageId, first.PopReceipt, Token));
        Assert.True(stale.Status is 400 or 404, $"status {stale.Status}: {stale.Message}");
        await queue.DeleteAsync(second.MessageId, second.PopReceipt, Token);
        Assert.Empty(await queue.PeekAsync(1, Token));
    }

    [Fact]
    public async Task DeleteAsync_StalePopReceiptAfterUpdateVisibility_ThrowsClearError()
    {
        var queue = await NewQueueAsync("stale");
        await queue.SendAsync("x", cancellationToken: Token);
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));
        var updated = await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.FromSeconds(60), cancellationToken: Token);
        Assert.NotEqual(received.PopReceipt, updated.PopReceipt);
        Assert.InRange(updated.NextVisibleOn, DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(70));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.DeleteAsync(received.MessageId, received.PopReceipt, Token));
        Assert.True(e.Status is 400 or 404, $"status {e.Status}: {e.Message}");
        Assert.Contains($"Delete Message {received.MessageId} from queue '{queue.Name}' failed: HTTP {e.Status}", e.Message, StringComparison.Ordinal);
        Assert.Contains("pop receipt is stale", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(received.PopReceipt, e.Message, StringComparison.Ordinal);

        await queue.DeleteAsync(received.MessageId, updated.PopReceipt, Token);
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync(Token));
    }

    [Fact]
    public async Task UpdateVisibilityAsync_ZeroWithNewText_ReleasesMessageWithNewText()
    {
        var queue = await NewQueueAsync("update");
        await queue.SendAsync("attempt 1", cancellationToken: Token);
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(60), Token));
        await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero, "attempt 2 <&>", Token);

        var again = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(60), Token));
        Assert.Equal(received.MessageId, again.MessageId);
        Assert.Equal("attempt 2 <&>", again.Text);
        Assert.Equal(2, again.DequeueCount);
    }

    [Fact]
    public async Task UpdateVisibilityAsync_WithoutText_KeepsText()
    {
        var queue = await NewQueueAsync("update-keep");
        await queue.SendAsync("unchanged", cancellationToken: Token);
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(60), Token));
        await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero, cancellationToken: Token);
        Assert.Equal("unchanged", Assert.Single(await queue.PeekAsync(1, Token)).Text);
    }

    [Fact]
    public async Task PeekAsync_Twice_DoesNotChangeDequeueCountOrVisibility()
    {
        var queue = await NewQueueAsync("peek");
        var sent = await queue.SendAsync("look", cancellationToken: Token);
        var first = Assert.Single(await queue.PeekAsync(32, Token));
        var second = Assert.Single(await queue.PeekAsync(1, Token));
        Assert.Equal((sent.MessageId, "look", 0L), (first.MessageId, first.Text, first.DequeueCount));
        Assert.Equal(0, second.DequeueCount);

        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(60), Token));
        Assert.Equal(1, received.DequeueCount);
        Assert.Empty(await queue.PeekAsync(1, Token)); // received messages are invisible to peek too
        await queue.UpdateVisibilityAsync(received.MessageId, received.PopReceipt, TimeSpan.Zero, cancellationToken: Token);
        Assert.Equal(1, Assert.Single(await queue.PeekAsync(1, Token)).DequeueCount);
    }

    [Fact]
    public async Task SendAsync_TimeToLiveOneSecond_MessageDisappears()
    {
        var queue = await NewQueueAsync("ttl");
        var sent = await queue.SendAsync("short-lived", null, TimeSpan.FromSeconds(1), Token);
        Assert.Equal(sent.InsertedOn.AddSeconds(1), sent.ExpiresOn);

        var deadline = Stopwatch.StartNew();
        IReadOnlyList<PeekedMessage> seen;
        do
        {
            await Task.Delay(250, Token);
            seen = await queue.PeekAsync(1, Token);
        }
        while (seen.Count > 0 && deadline.Elapsed < TimeSpan.FromSeconds(10));

        Assert.Empty(seen);
        Assert.Empty(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));
    }

    [Fact]
    public async Task SendAsync_InfiniteTimeToLive_NeverExpires()
    {
        var queue = await NewQueueAsync("forever");
        var sent = await queue.SendAsync("kept", null, Timeout.InfiniteTimeSpan, Token);
        Assert.Equal(9999, sent.ExpiresOn.Year);
        Assert.Equal(9999, Assert.Single(await queue.PeekAsync(1, Token)).ExpiresOn.Year);
    }

    [Fact]
    public async Task ClearAsync_SeveralMessages_EmptiesQueue()
    {
        var queue = await NewQueueAsync("clear");
        for (var i = 0; i < 3; i++)
        {
            await queue.SendAsync("m", cancellationToken: Token);
        }

        Assert.Equal(3, await queue.GetApproximateMessageCountAsync(Token));
        await queue.ClearAsync(Token);
        Assert.Equal(0, await queue.GetApproximateMessageCountAsync(Token));
        Assert.Empty(await queue.PeekAsync(32, Token));
    }

    public static TheoryData<QueueMessageEncoding, string> Texts()
    {
        var data = new TheoryData<QueueMessageEncoding, string>();
        string[] texts =
        [
            "<&>\"'",
            "<QueueMessage><MessageText>nested</MessageText></QueueMessage>",
            "]]> &amp; &lt; &#x41; literal entities",
            "Grüße, naïve café — € ¥ £ · 日本語 · עברית · 🚀📈 (surrogate pairs)",
            "  leading and trailing spaces  ",
            " \t ",
            "\n",
            "tab\tline\nfeed\r\ncarriage\rreturn",
            "{\"symbol\":\"BTCUSD\",\"note\":\"a < b && c > d\"}",
            string.Empty,
        ];
        foreach (var encoding in new[] { QueueMessageEncoding.None, QueueMessageEncoding.Base64 })
        {
            foreach (var text in texts)
            {
                data.Add(encoding, text);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public async Task SendAsync_UnicodeAndXmlSpecialText_RoundTripsThroughReceiveAndPeek(QueueMessageEncoding encoding, string text)
    {
        var queue = await NewQueueAsync("text", encoding);
        await queue.SendAsync(text, cancellationToken: Token);
        var peeked = Assert.Single(await queue.PeekAsync(1, Token));
        Assert.Equal(text, peeked.Text);
        Assert.Null(peeked.DecodingError);
        var received = Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));
        Assert.Equal(text, received.Text);
        Assert.Null(received.DecodingError);
    }

    [Fact]
    public async Task SendAsync_Base64_StoresBase64OfUtf8AsTheFunctionsTriggerExpects()
    {
        // The Functions queue trigger with messageEncoding "base64" decodes base64 to UTF-8 text; a None client sees the wire text.
        var queue = await NewQueueAsync("b64-wire", QueueMessageEncoding.Base64);
        await queue.SendAsync("{\"px\":\"65 000 €\"}", cancellationToken: Token);
        var raw = Service().GetQueueClient(queue.Name, QueueMessageEncoding.None);
        var wire = Assert.Single(await raw.PeekAsync(1, Token)).Text;
        Assert.Equal("{\"px\":\"65 000 €\"}", Encoding.UTF8.GetString(Convert.FromBase64String(wire)));
    }

    [Fact]
    public async Task ReceiveAsync_Base64ClientOnPlainText_ReturnsRawTextWithDecodingError()
    {
        var queue = await NewQueueAsync("b64-mismatch", QueueMessageEncoding.None);
        await queue.SendAsync("not base64!", cancellationToken: Token);
        var decoding = Service().GetQueueClient(queue.Name, QueueMessageEncoding.Base64);
        var message = Assert.Single(await decoding.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));
        Assert.Equal("not base64!", message.Text);
        Assert.NotNull(message.DecodingError);
        Assert.Contains("not base64", message.DecodingError, StringComparison.Ordinal);
        await decoding.DeleteAsync(message.MessageId, message.PopReceipt, Token); // still deletable: nothing is lost or stuck
    }

    [Fact]
    public async Task SendAsync_ControlCharactersWithBase64_RoundTrip()
    {
        var queue = await NewQueueAsync("control", QueueMessageEncoding.Base64);
        var text = "nul\u0000bell\u0007vt\u000Bend\uFFFE";
        await queue.SendAsync(text, cancellationToken: Token);
        Assert.Equal(text, Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token)).Text);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.None, QueueClient.MaxMessageBytes)]
    [InlineData(QueueMessageEncoding.Base64, 49_152)]
    public async Task SendAsync_AtTheLimit_AcceptedAndOneByteMore_RefusedWithoutARequest(QueueMessageEncoding encoding, int largest)
    {
        var handler = new FaultInjectingHandler(0, HttpStatusCode.OK);
        var queue = await NewQueueAsync("size", encoding, handler);
        var callsBefore = handler.Calls;
        var e = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(new string('x', largest + 1), cancellationToken: Token));
        Assert.Equal(callsBefore, handler.Calls);
        Assert.Contains("at most 65,536 bytes (64 KiB)", e.Message, StringComparison.Ordinal);

        // Multi-byte characters count by their UTF-8 bytes: 21,846 × '€' (3 bytes) = 65,538 bytes.
        if (encoding == QueueMessageEncoding.None)
        {
            var euros = await Assert.ThrowsAsync<ArgumentException>(() => queue.SendAsync(new string('€', 21_846), cancellationToken: Token));
            Assert.Contains("65,538 bytes", euros.Message, StringComparison.Ordinal);
        }

        var text = new string('y', largest);
        await queue.SendAsync(text, cancellationToken: Token);
        Assert.Equal(text, Assert.Single(await queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token)).Text);
    }

    [Fact]
    public async Task AllOperations_WrongAccountKey_Throw403WithoutTheKey()
    {
        var wrongKey = Convert.ToBase64String(Enumerable.Repeat((byte)7, 64).ToArray());
        var connection = azurite.ConnectionString.Replace(global::SigmaFlow.Platform.Azure.Storage.StorageAccount.DevelopmentAccountKey, wrongKey, StringComparison.Ordinal);
        var queue = new QueueServiceClient(connection, QueueTestKit.Options()).GetQueueClient(QueueTestKit.UniqueName("forbidden"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.CreateIfNotExistsAsync(Token));
        Assert.Equal(403, e.Status);
        Assert.Contains($"Create Queue '{queue.Name}' failed: HTTP 403", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(global::SigmaFlow.Platform.Azure.Storage.StorageAccount.DevelopmentAccountKey, e.Message, StringComparison.Ordinal);
    }
}
