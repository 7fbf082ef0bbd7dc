using System.Net;
using System.Text;
using System.Text.Json;
using Azure;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Queues;

/// <summary>The exact requests the client writes and its argument guards, without a server.</summary>
public sealed class QueueWireFormatTests
{
    private const string PutResponse =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>5974b586-0df3-4e2d-ad0c-18e3892bfca2</MessageId>"
        + "<InsertionTime>Fri, 09 Oct 2009 21:04:30 GMT</InsertionTime><ExpirationTime>Fri, 16 Oct 2009 21:04:30 GMT</ExpirationTime>"
        + "<PopReceipt>YzQ4Yzg1MDItYTc0Ny00OWNjLTkxYTUtZGM0MDFiZDAwYzEw</PopReceipt><TimeNextVisible>Fri, 09 Oct 2009 23:29:20 GMT</TimeNextVisible></QueueMessage></QueueMessagesList>";

    private static readonly Uri Queue = new("http://127.0.0.1:10001/devstoreaccount1/jobs");

    private static QueueClient Client(RecordingHandler handler, QueueMessageEncoding encoding = QueueMessageEncoding.None) =>
        new QueueServiceClient("UseDevelopmentStorage=true", QueueTestKit.Options(handler, maxRetries: 0)).GetQueueClient("jobs", encoding);

    [Fact]
    public async Task SendAsync_DelayAndInfiniteTtl_PostsEscapedXmlToMessagesWithBothParameters()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        var receipt = await Client(handler).SendAsync("a<b&c>\"d'\r\n", TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan, TestContext.Current.CancellationToken);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(Queue + "/messages?visibilitytimeout=5&messagettl=-1", request.Uri.AbsoluteUri);
        Assert.Equal("<QueueMessage><MessageText>a&lt;b&amp;c&gt;\"d'&#xD;\n</MessageText></QueueMessage>", request.Body);
        Assert.StartsWith("application/xml", request.ContentType, StringComparison.Ordinal);

        Assert.Equal("5974b586-0df3-4e2d-ad0c-18e3892bfca2", receipt.MessageId);
        Assert.Equal("YzQ4Yzg1MDItYTc0Ny00OWNjLTkxYTUtZGM0MDFiZDAwYzEw", receipt.PopReceipt);
        Assert.Equal(new DateTimeOffset(2009, 10, 9, 21, 4, 30, TimeSpan.Zero), receipt.InsertedOn);
        Assert.Equal(new DateTimeOffset(2009, 10, 16, 21, 4, 30, TimeSpan.Zero), receipt.ExpiresOn);
        Assert.Equal(new DateTimeOffset(2009, 10, 9, 23, 29, 20, TimeSpan.Zero), receipt.NextVisibleOn);
    }

    [Fact]
    public async Task SendAsync_Defaults_SendsNeitherParameter()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        await Client(handler).SendAsync("{}", cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(Queue + "/messages", Assert.Single(handler.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task SendAsync_TtlOnly_SendsWholeSeconds()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        await Client(handler).SendAsync("{}", null, TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        Assert.Equal(Queue + "/messages?messagettl=3600", Assert.Single(handler.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task SendAsync_Base64_BodyIsBase64OfUtf8()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        await Client(handler, QueueMessageEncoding.Base64).SendAsync("é<€>", cancellationToken: TestContext.Current.CancellationToken);
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes("é<€>"));
        Assert.Equal($"<QueueMessage><MessageText>{expected}</MessageText></QueueMessage>", Assert.Single(handler.Requests).Body);
    }

    [Fact]
    public async Task DeleteAsync_PopReceiptWithBase64Characters_IsUrlEncoded()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent, string.Empty);
        await Client(handler).DeleteAsync("800ae4b3-0000-4000-8000-000000000001", "AgAAAAMAAAAAAAAAAgtnj8x+1QE/=", TestContext.Current.CancellationToken);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Delete, request.Method);
        Assert.Equal(Queue + "/messages/800ae4b3-0000-4000-8000-000000000001?popreceipt=AgAAAAMAAAAAAAAAAgtnj8x%2B1QE%2F%3D", request.Uri.AbsoluteUri);
    }

    [Fact]
    public async Task UpdateVisibilityAsync_NewText_PutsBodyAndReturnsNewReceipt()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent, string.Empty, ("x-ms-popreceipt", "bmV3+cmVjZWlwdA=="), ("x-ms-time-next-visible", "Fri, 09 Oct 2009 23:29:20 GMT"));
        var result = await Client(handler).UpdateVisibilityAsync("id-1", "old+receipt", TimeSpan.FromSeconds(30), "next & last", TestContext.Current.CancellationToken);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal(Queue + "/messages/id-1?popreceipt=old%2Breceipt&visibilitytimeout=30", request.Uri.AbsoluteUri);
        Assert.Equal("<QueueMessage><MessageText>next &amp; last</MessageText></QueueMessage>", request.Body);
        Assert.Equal("bmV3+cmVjZWlwdA==", result.PopReceipt);
        Assert.Equal(new DateTimeOffset(2009, 10, 9, 23, 29, 20, TimeSpan.Zero), result.NextVisibleOn);
    }

    [Fact]
    public async Task ReceiveAsync_ServiceListWithEntities_DecodesEveryField()
    {
        const string list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><QueueMessagesList><QueueMessage><MessageId>m1</MessageId>"
            + "<InsertionTime>Fri, 09 Oct 2009 21:04:30 GMT</InsertionTime><ExpirationTime>Fri, 31 Dec 9999 23:59:59 GMT</ExpirationTime>"
            + "<PopReceipt>p1</PopReceipt><TimeNextVisible>Fri, 09 Oct 2009 23:29:20 GMT</TimeNextVisible><DequeueCount>3</DequeueCount>"
            + "<MessageText>&lt;a&gt; &amp; &#xD;\n</MessageText></QueueMessage></QueueMessagesList>";
        var handler = new RecordingHandler(HttpStatusCode.OK, list);
        var message = Assert.Single(await Client(handler).ReceiveAsync(32, TimeSpan.FromMinutes(5), TestContext.Current.CancellationToken));
        Assert.Equal(Queue + "/messages?numofmessages=32&visibilitytimeout=300", Assert.Single(handler.Requests).Uri.AbsoluteUri);
        Assert.Equal(("m1", "p1", "<a> & \r\n", 3L), (message.MessageId, message.PopReceipt, message.Text, message.DequeueCount));
        Assert.Equal(9999, message.ExpiresOn.Year);
        Assert.Null(message.DecodingError);
    }

    [Fact]
    public async Task ErrorResponse_XmlBody_ExceptionNamesOperationQueueStatusCodeAndServiceMessage()
    {
        const string error = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>MessageNotFound</Code><Message>The specified message does not exist.\nRequestId:abc\nTime:2026-01-01T00:00:00Z</Message></Error>";
        var handler = new RecordingHandler(HttpStatusCode.NotFound, error, ("x-ms-request-id", "req-42"));
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Client(handler).DeleteAsync("m1", "secret-receipt", TestContext.Current.CancellationToken));
        Assert.Equal(404, e.Status);
        Assert.Equal("MessageNotFound", e.ErrorCode);
        Assert.Equal(
            "Delete Message m1 from queue 'jobs' failed: HTTP 404 MessageNotFound: The specified message does not exist. The message was deleted or has expired, "
            + "or the pop receipt is stale: each receive and each visibility update issues a new one and voids the old. [request id req-42]",
            e.Message);
        Assert.DoesNotContain("secret-receipt", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RequestId:abc", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<QueueMessagesList><QueueMessage>", "Put Message on queue 'jobs': the queue service's response is not XML")]
    [InlineData("<QueueMessagesList><QueueMessage><MessageId>m</MessageId></QueueMessage></QueueMessagesList>", "Put Message on queue 'jobs': a QueueMessage in the queue service's response has no <PopReceipt> element.")]
    [InlineData("<QueueMessagesList/>", "Put Message on queue 'jobs': the response lists 0 messages instead of 1.")]
    public async Task SendAsync_MalformedSuccessResponse_ThrowsNamingOperationAndFault(string body, string expected)
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, body);
        var e = await Assert.ThrowsAsync<RequestFailedException>(() => Client(handler).SendAsync("x", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(201, e.Status);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultMessageEncoding_MatchesHostJson()
    {
        var root = LocalEmulator.RepositoryRoot();
        Assert.NotNull(root);
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "host.json")));
        var setting = host.RootElement.GetProperty("extensions").GetProperty("queues").GetProperty("messageEncoding").GetString();
        var expected = setting switch
        {
            "none" => QueueMessageEncoding.None,
            "base64" => QueueMessageEncoding.Base64,
            _ => throw new InvalidOperationException($"host.json has an unknown messageEncoding '{setting}'."),
        };
        Assert.Equal(QueueServiceClient.DefaultMessageEncoding, expected);
        Assert.Equal(expected, new QueueServiceClient("UseDevelopmentStorage=true").GetQueueClient("jobs").MessageEncoding);
    }

    [Theory]
    [InlineData("ab", "2 characters long")]
    [InlineData("Jobs", "uppercase 'J' at index 0")]
    [InlineData("a--b", "two hyphens in a row at index 1")]
    [InlineData("-ab", "starts with a hyphen")]
    [InlineData("ab-", "ends with a hyphen")]
    [InlineData("a_b", "'_' at index 1 is not allowed")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "64 characters long")]
    public void GetQueueClient_BadName_NamesRuleValueAndFault(string name, string fault)
    {
        var service = new QueueServiceClient("UseDevelopmentStorage=true");
        var e = Assert.Throws<ArgumentException>(() => service.GetQueueClient(name));
        Assert.Equal("queueName", e.ParamName);
        Assert.Contains("3-63 characters of lowercase letters, digits and single hyphens", e.Message, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(fault, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("a-b-c")]
    [InlineData("123")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void GetQueueClient_GoodName_BuildsTheQueueUrl(string name)
    {
        var queue = new QueueServiceClient("UseDevelopmentStorage=true").GetQueueClient(name);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/" + name), queue.Uri);
        Assert.Equal(name, queue.Name);
    }

    [Fact]
    public void GetQueueClient_IdentityAccount_HasNoDoubleSlash()
    {
        var service = new QueueServiceClient(StorageAccount.ForIdentity("sigmaflowdata"), new NoCredential());
        Assert.Equal(new Uri("https://sigmaflowdata.queue.core.windows.net/jobs"), service.GetQueueClient("jobs").Uri);
    }

    [Fact]
    public void MessageEncoding_Undefined_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new QueueServiceClient("UseDevelopmentStorage=true") { MessageEncoding = (QueueMessageEncoding)7 });
        Assert.Contains("None or Base64; got 7", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(33)]
    public async Task ReceiveAsync_CountOutOfRange_NamesParameterAndValue(int count)
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, "<QueueMessagesList/>");
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client(handler).ReceiveAsync(count, TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.Equal("maxMessages", e.ParamName);
        Assert.Contains($"from 1 to 32; got {count}", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(0.0, "from 1 s to 7 days; got 0 s")]
    [InlineData(1.5, "whole number of seconds")]
    [InlineData(604801.0, "got 604801 s")]
    public async Task ReceiveAsync_VisibilityOutOfRange_NamesParameterAndValue(double seconds, string fragment)
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, "<QueueMessagesList/>");
        var e = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Client(handler).ReceiveAsync(1, TimeSpan.FromSeconds(seconds), TestContext.Current.CancellationToken));
        Assert.Equal("visibilityTimeout", e.ParamName);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task SendAsync_BadTimes_AreRefusedBeforeSending()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        var queue = Client(handler);
        var token = TestContext.Current.CancellationToken;
        var ttl = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendAsync("x", null, TimeSpan.Zero, token));
        Assert.Equal("timeToLive", ttl.ParamName);
        Assert.Contains("Timeout.InfiniteTimeSpan for never", ttl.Message, StringComparison.Ordinal);
        var negative = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendAsync("x", TimeSpan.FromSeconds(-1), null, token));
        Assert.Equal("visibilityDelay", negative.ParamName);
        var longer = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendAsync("x", TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(10), token));
        Assert.Contains("shorter than the time to live (10 s); got 10 s", longer.Message, StringComparison.Ordinal);
        var week = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => queue.SendAsync("x", TimeSpan.FromDays(7), null, token));
        Assert.Contains("7 days when not given", week.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);

        await queue.SendAsync("x", TimeSpan.FromDays(7), Timeout.InfiniteTimeSpan, token);
        Assert.Equal(Queue + "/messages?visibilitytimeout=604800&messagettl=-1", Assert.Single(handler.Requests).Uri.AbsoluteUri);
    }

    [Fact]
    public async Task SendAsync_ControlCharacterWithNone_RefusedSuggestingBase64()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).SendAsync("ab\u0001", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("text", e.ParamName);
        Assert.Contains("U+0001 at index 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("QueueMessageEncoding.Base64", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(QueueMessageEncoding.None)]
    [InlineData(QueueMessageEncoding.Base64)]
    public async Task SendAsync_UnpairedSurrogate_RefusedInEitherEncoding(QueueMessageEncoding encoding)
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler, encoding).SendAsync("a\uD800b", cancellationToken: TestContext.Current.CancellationToken));
        Assert.Contains("U+D800 at index 1 is an unpaired surrogate", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task SendAsync_EscapingPushesOverLimit_RefusedWithSizeAndLimit()
    {
        var handler = new RecordingHandler(HttpStatusCode.Created, PutResponse);

        // 65,533 characters, but "&" becomes "&amp;": 65,537 bytes on the wire.
        var text = new string('a', QueueClient.MaxMessageBytes - 4) + "&";
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler).SendAsync(text, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal("text", e.ParamName);
        Assert.Contains("65,537 bytes once encoded", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 65,536 bytes (64 KiB)", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task UpdateVisibilityAsync_OversizeNewText_RefusedBeforeSending()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent, string.Empty);
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Client(handler, QueueMessageEncoding.Base64).UpdateVisibilityAsync("m", "p", TimeSpan.Zero, new string('x', 49_153), TestContext.Current.CancellationToken));
        Assert.Equal("newText", e.ParamName);
        Assert.Contains("65,540 bytes once encoded (Base64", e.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    private sealed class NoCredential : global::Azure.Core.TokenCredential
    {
        public override global::Azure.Core.AccessToken GetToken(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();

        public override ValueTask<global::Azure.Core.AccessToken> GetTokenAsync(global::Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
