using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Health;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.IngestTicks;
using SigmaFlow.Functions.Tests.Local.WebPubSub;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;
using static SigmaFlow.Functions.Tests.IngestTicks.IngestEnvelopes;

namespace SigmaFlow.Functions.Tests.IngestTicks;

/// <summary>IngestTicks end to end: the host's envelope through the handler into Azurite's tables and queue and the Web PubSub stand-in.</summary>
public sealed class IngestTicksHandlerTests(AzuriteEmulator azurite)
{
    private const long Minute = 60_000;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task InvokeAsync_HostEnvelope_StoresBarsQuotesSignalsAndCheckpoint_QueuesAlerts_AndPushesBars()
    {
        var storage = azurite.ConnectionString;
        await using var pubsub = await StandInScope.StartAsync();
        var hub = "ticks" + Guid.NewGuid().ToString("N")[..8];
        var folder = Directory.CreateTempSubdirectory("sigmaflow-live-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "up-bar.yaml"), "name: up-bar\nlong:\n  entry: close > open\n  exit: close < open\n", Token);
            var settings = new PlatformSettings
            {
                Read = name => name switch
                {
                    PlatformSettings.Storage => storage,
                    PlatformSettings.WebPubSub => pubsub.ConnectionString,
                    PlatformSettings.TicksHub => hub,
                    PlatformSettings.LiveStrategies => folder.FullName,
                    _ => null,
                },
            };
            // Start from empty tables and queue (they may be left from an earlier run against the same storage).
            var tables = new TableServiceClient(storage);
            foreach (var table in new[] { LiveNames.BarsTable, LiveNames.SymbolStateTable, LiveNames.QuotesTable, LiveNames.SignalsTable, LiveNames.DeadLettersTable, LiveNames.CheckpointsTable })
            {
                await tables.DeleteTableAsync(table, Token);
            }

            await new QueueServiceClient(storage).GetQueueClient(LiveNames.AlertsQueue).DeleteQueueIfExistsAsync(Token);
            var health = new List<IHealthSource>();
            var handler = IngestTicksComposition.Create(settings, TimeProvider.System, NullLoggerFactory.Instance, health);
            var socket = await pubsub.ConnectAsync(groups: ["bars.BTCUSD.1m"]);

            // Minute 0 rises, minute 1 falls, minute 2 rises; a tick at 3:03 closes minute 2. One event is not a tick.
            var events = new List<HostEvent>();
            var sequence = 100L;
            void Add(string body, long time) => events.Add(new HostEvent(body, sequence++, At(time + 50), "BTCUSD"));
            for (var m = 0; m < 3; m++)
            {
                for (var i = 0; i < 12; i++)
                {
                    var time = T0 + (m * Minute) + 1000 + (i * 5000);
                    var price = m == 1 ? 102 - (i * 0.1) : 100 + (m * 2) + (i * 0.1);
                    Add(Tick("BTCUSD", time, price, 1, sequence, price - 0.05, price + 0.05), time);
                    if (i == 6 && m == 0)
                    {
                        Add("{\"symbol\":\"BTCUSD\",\"time\":", time + 1);
                        Add(Tick("ETHUSD", time + 2, 3500, 2, 1), time + 2);
                    }
                }
            }

            Add(Tick("BTCUSD", T0 + (3 * Minute) + 3000, 104.5, 1, sequence, 104.45, 104.55), T0 + (3 * Minute) + 3000);
            var first = events.Where(e => e.EnqueuedTime < At(T0 + (2 * Minute))).ToList();
            var second = events.Skip(first.Count).ToList();

            // Through the parsed request and through the body bytes (the server's way), which must not differ.
            var one = await handler.InvokeAsync(InvocationRequest.Parse(Envelope("2", first, hub)), Token);
            var two = await handler.InvokeAsync(Envelope("2", second, hub), "inv-2", Token);
            var again = await handler.InvokeAsync(Envelope("2", first, hub), "inv-3", Token);

            Assert.StartsWith("IngestTicks partition 2: 26 events, 25 accepted, 0 duplicate, 1 dead-lettered", Assert.Single(one.Logs), StringComparison.Ordinal);
            Assert.Contains("13 accepted", Assert.Single(two.Logs), StringComparison.Ordinal);
            Assert.Contains("0 accepted, 26 duplicate", Assert.Single(again.Logs), StringComparison.Ordinal);

            var bars = await Rows(tables, LiveNames.BarsTable, "PartitionKey eq 'BTCUSD|1m'");
            Assert.Equal([T0, T0 + Minute, T0 + (2 * Minute)], bars.Select(b => b.GetInt64("time")!.Value));
            Assert.All(bars, b => Assert.Equal(12, b.GetDouble("volume")));
            Assert.Equal(100, bars[0].GetDouble("open"));
            Assert.Equal(101.1, bars[0].GetDouble("close")!.Value, 9);
            using (var indicators = JsonDocument.Parse(bars[2].GetString("indicators")!))
            {
                Assert.Equal(JsonValueKind.Number, indicators.RootElement.GetProperty("obv.obv").ValueKind);
                Assert.Equal(JsonValueKind.Null, indicators.RootElement.GetProperty("sma(20).sma").ValueKind);
            }

            var quote = await tables.GetTableClient(LiveNames.QuotesTable).GetEntityAsync(LiveNames.QuotesPartition, "BTCUSD", cancellationToken: Token);
            Assert.Equal(104.5, quote!.GetDouble("price"));
            Assert.Equal(104.55, quote.GetDouble("ask")!.Value, 9);
            var signals = await Rows(tables, LiveNames.SignalsTable, "PartitionKey eq 'BTCUSD'");
            Assert.Equal(["longEntry", "longExit", "longEntry"], signals.OrderBy(s => s.GetInt64("time")).Select(s => s.GetString("kind")));
            Assert.All(signals, s => Assert.Equal(true, s.GetBoolean("alerted")));
            var checkpoint = await tables.GetTableClient(LiveNames.CheckpointsTable).GetEntityAsync(hub, "2", cancellationToken: Token);
            Assert.Equal(events[^1].SequenceNumber, checkpoint!.GetInt64("sequenceNumber"));
            var dead = Assert.Single(await Rows(tables, LiveNames.DeadLettersTable, null), d => d.GetString("partition") == "2");
            Assert.Equal("Malformed", dead.GetString("reason"));
            Assert.Equal(107, dead.GetInt64("sequenceNumber"));
            Assert.NotNull(await tables.GetTableClient(LiveNames.SymbolStateTable).GetEntityAsync("2", "ETHUSD", cancellationToken: Token));

            var alerts = await new QueueServiceClient(storage).GetQueueClient(LiveNames.AlertsQueue).PeekAsync(32, Token);
            Assert.Equal(3, alerts.Count);
            using (var alert = JsonDocument.Parse(alerts[0].Text))
            {
                Assert.Equal("signal", alert.RootElement.GetProperty("type").GetString());
                Assert.Equal("up-bar", alert.RootElement.GetProperty("strategy").GetString());
                Assert.Contains(signals, s => s.GetString("id") == alert.RootElement.GetProperty("id").GetString());
            }

            // The dashboard client joined to bars.BTCUSD.1m got the forming and the final bars.
            var received = new List<JsonElement>();
            while (!received.Any(m => m.GetProperty("final").GetBoolean() && m.GetProperty("time").GetInt64() == T0 + (2 * Minute)))
            {
                var message = await socket.ReceiveJsonAsync();
                Assert.Equal("message", message.GetProperty("type").GetString());
                received.Add(message.GetProperty("data"));
            }

            Assert.All(received, m => Assert.Equal("bar", m.GetProperty("type").GetString()));
            Assert.All(received, m => Assert.Equal("1m", m.GetProperty("timeframe").GetString()));
            Assert.Equal([T0, T0 + Minute, T0 + (2 * Minute)], received.Where(m => m.GetProperty("final").GetBoolean()).Select(m => m.GetProperty("time").GetInt64()));
            Assert.True(received.Single(m => m.GetProperty("final").GetBoolean() && m.GetProperty("time").GetInt64() == T0).TryGetProperty("indicators", out _));
            Assert.Contains(received, m => !m.GetProperty("final").GetBoolean());

            var report = Assert.Single(health).Report();
            Assert.Equal("ingest", report.Name);
            Assert.True(report.Healthy);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task<List<TableEntity>> Rows(TableServiceClient tables, string table, string? filter)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in tables.GetTableClient(table).QueryAsync(filter, cancellationToken: Token))
        {
            rows.Add(row);
        }

        return rows;
    }
}
