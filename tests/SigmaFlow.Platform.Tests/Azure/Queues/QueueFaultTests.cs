using System.Diagnostics;
using System.Net;
using Azure;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Platform.Tests.Azure.Queues;

/// <summary>Transient faults injected in front of Azurite, exhausted retries, and an unreachable service.</summary>
public sealed class QueueFaultTests(AzuriteEmulator azurite)
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SendAsync_Two503sThenAzurite_RetriesAndStoresTheMessageOnce()
    {
        var plain = new QueueServiceClient(azurite.ConnectionString, QueueTestKit.Options()).GetQueueClient(QueueTestKit.UniqueName("retry"));
        await plain.CreateAsync(Token);
        using var handler = new FaultInjectingHandler(2, HttpStatusCode.ServiceUnavailable);
        var faulty = new QueueServiceClient(azurite.ConnectionString, QueueTestKit.Options(handler, maxRetries: 3)).GetQueueClient(plain.Name);

        var sent = await faulty.SendAsync("after two faults", cancellationToken: Token);

        Assert.Equal(3, handler.Calls);
        var message = Assert.Single(await plain.PeekAsync(32, Token));
        Assert.Equal((sent.MessageId, "after two faults"), (message.MessageId, message.Text));
    }

    [Fact]
    public async Task ReceiveAsync_500ThenAzurite_Retries()
    {
        var plain = new QueueServiceClient(azurite.ConnectionString, QueueTestKit.Options()).GetQueueClient(QueueTestKit.UniqueName("retry-get"));
        await plain.CreateAsync(Token);
        await plain.SendAsync("x", cancellationToken: Token);
        using var handler = new FaultInjectingHandler(1, HttpStatusCode.InternalServerError);
        var faulty = new QueueServiceClient(azurite.ConnectionString, QueueTestKit.Options(handler)).GetQueueClient(plain.Name);

        var message = Assert.Single(await faulty.ReceiveAsync(1, TimeSpan.FromSeconds(30), Token));

        Assert.Equal(("x", 2), (message.Text, handler.Calls));
    }

    [Fact]
    public async Task SendAsync_503sOutlastRetries_ThrowsWithStatusCodeAndQueue()
    {
        using var handler = new FaultInjectingHandler(int.MaxValue, HttpStatusCode.ServiceUnavailable);
        var queue = new QueueServiceClient(azurite.ConnectionString, QueueTestKit.Options(handler, maxRetries: 2)).GetQueueClient(QueueTestKit.UniqueName("busy"));

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendAsync("x", cancellationToken: Token));

        Assert.Equal(3, handler.Calls);
        Assert.Equal(503, e.Status);
        Assert.Equal("ServerBusy", e.ErrorCode);
        Assert.StartsWith($"Put Message on queue '{queue.Name}' failed: HTTP 503 ServerBusy: Injected fault.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_ServiceDown_ThrowsClearExceptionFast()
    {
        var down = StorageAccount.AzuriteConnectionString(1, 1, 1);
        var queue = new QueueServiceClient(down, QueueTestKit.Options(maxRetries: 1)).GetQueueClient("jobs");
        var clock = Stopwatch.StartNew();

        var e = await Assert.ThrowsAsync<RequestFailedException>(() => queue.SendAsync("x", cancellationToken: Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal(0, e.Status);
        Assert.StartsWith("Put Message on queue 'jobs' failed: the queue service at http://127.0.0.1:1/devstoreaccount1 could not be reached after 2 attempt(s): ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(StorageAccount.DevelopmentAccountKey, e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.InnerException);
    }

    [Fact]
    public async Task ReceiveAsync_Cancelled_ThrowsOperationCanceled()
    {
        var down = StorageAccount.AzuriteConnectionString(1, 1, 1);
        var queue = new QueueServiceClient(down, QueueTestKit.Options(maxRetries: 1)).GetQueueClient("jobs");
        using var cancelled = CancellationTokenSource.CreateLinkedTokenSource(Token);
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queue.ReceiveAsync(1, TimeSpan.FromSeconds(30), cancelled.Token));
    }
}
