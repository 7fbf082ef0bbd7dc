using Azure.Identity;
using SigmaFlow.Platform.Azure.Cosmos;
using SigmaFlow.Platform.Azure.EventHubs;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Platform.Azure.Storage;
using SigmaFlow.Platform.Azure.Tables;
using SigmaFlow.Platform.Azure.WebPubSub;

namespace SigmaFlow.Functions.Host;

/// <summary>
/// The platform's settings: one set of names, read from app settings in Azure and from the environment locally
/// (<c>sigmaflow serve</c> sets them for the stand-ins and emulators it starts). Each connection is either a
/// connection string (keys; Azurite and the stand-ins) or, in Azure, an identity-based form the Functions host also
/// understands (<c>{Setting}__accountName</c>, <c>__fullyQualifiedNamespace</c>, <c>__endpoint</c>,
/// <c>__accountEndpoint</c>) used with the app's managed identity.
/// </summary>
public sealed record PlatformSettings
{
    /// <summary>Storage (Tables, Queues): connection string, or <c>AzureWebJobsStorage__accountName</c>.</summary>
    public const string Storage = "AzureWebJobsStorage";

    /// <summary>Event Hubs: connection string, or <c>EventHubConnection__fullyQualifiedNamespace</c>.</summary>
    public const string EventHubs = "EventHubConnection";

    /// <summary>Web PubSub: connection string, or <c>WebPubSubConnection__endpoint</c>.</summary>
    public const string WebPubSub = "WebPubSubConnection";

    /// <summary>Cosmos DB: connection string, or <c>CosmosDbConnection__accountEndpoint</c>.</summary>
    public const string Cosmos = "CosmosDbConnection";

    /// <summary>Event hub the ticks arrive on (default <c>ticks</c>).</summary>
    public const string TicksHub = "TicksHubName";

    /// <summary>Web PubSub hub the dashboard listens on (default <c>market</c>).</summary>
    public const string PushHub = "WebPubSubHub";

    /// <summary>Cosmos database (default <c>sigmaflow</c>).</summary>
    public const string CosmosDatabase = "CosmosDatabaseName";

    /// <summary>
    /// Folder of strategy documents (YAML or JSON) that IngestTicks runs live on every symbol's 1-minute bars; empty
    /// or unset for the built-in example <c>ema-cross</c> (<c>crossover(ema(close, 9), ema(close, 21))</c>).
    /// </summary>
    public const string LiveStrategies = "LiveStrategies";

    /// <summary>
    /// Development only: <c>true</c> lets alerts go to plain-HTTP URLs and loopback or private addresses (local
    /// receivers, tests). Unset or <c>false</c> in Azure: HTTPS to public addresses only.
    /// </summary>
    public const string AlertsAllowLocal = "AlertsAllowLocalTargets";

    /// <summary>
    /// NCRONTAB schedule (six fields, seconds first, UTC) of the <c>ScanMarkets</c> timer, read by its
    /// <c>function.json</c> as <c>%ScanSchedule%</c>; <see cref="DefaultScanSchedule"/> (every 15 minutes) when unset.
    /// </summary>
    public const string ScanSchedule = "ScanSchedule";

    /// <summary>The market scan's default schedule: every 15 minutes, on the quarter hour.</summary>
    public const string DefaultScanSchedule = "0 */15 * * * *";

    /// <summary>Every setting name the platform reads (the Bicep app settings must provide each).</summary>
    public static IReadOnlyList<string> Names { get; } = [Storage, EventHubs, WebPubSub, Cosmos, TicksHub, PushHub, CosmosDatabase, LiveStrategies, AlertsAllowLocal, ScanSchedule];

    /// <summary>Reads a value (the environment by default).</summary>
    public required Func<string, string?> Read { get; init; }

    /// <summary>Settings from the process environment.</summary>
    public static PlatformSettings FromEnvironment() => new() { Read = Environment.GetEnvironmentVariable };

    /// <summary>The ticks hub name.</summary>
    public string TicksHubName => Read(TicksHub) is { Length: > 0 } v ? v : "ticks";

    /// <summary>The Web PubSub hub name.</summary>
    public string PushHubName => Read(PushHub) is { Length: > 0 } v ? v : "market";

    /// <summary>The Cosmos database name.</summary>
    public string CosmosDatabaseName => Read(CosmosDatabase) is { Length: > 0 } v ? v : "sigmaflow";

    /// <summary>The market scan's schedule.</summary>
    public string ScanScheduleExpression => Read(ScanSchedule) is { Length: > 0 } v ? v : DefaultScanSchedule;

    /// <summary>The live strategies folder, or null for the built-in example.</summary>
    public string? LiveStrategiesFolder => Read(LiveStrategies) is { Length: > 0 } v ? v : null;

    /// <summary>Whether alerts may go to plain HTTP and loopback or private addresses (<c>AlertsAllowLocalTargets</c> is <c>true</c> or <c>1</c>).</summary>
    public bool AlertsAllowLocalTargets => Read(AlertsAllowLocal)?.Trim() is { } v && (v == "1" || v.Equals("true", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether storage is configured.</summary>
    public bool HasStorage => Read(Storage) is { Length: > 0 } || Read(Storage + "__accountName") is { Length: > 0 };

    /// <summary>Whether Web PubSub is configured.</summary>
    public bool HasWebPubSub => Read(WebPubSub) is { Length: > 0 } || Read(WebPubSub + "__endpoint") is { Length: > 0 };

    /// <summary>Whether Event Hubs is configured.</summary>
    public bool HasEventHubs => Read(EventHubs) is { Length: > 0 } || Read(EventHubs + "__fullyQualifiedNamespace") is { Length: > 0 };

    /// <summary>Whether Cosmos is configured.</summary>
    public bool HasCosmos => Read(Cosmos) is { Length: > 0 } || Read(Cosmos + "__accountEndpoint") is { Length: > 0 };

    /// <summary>Table storage.</summary>
    /// <returns>The client.</returns>
    /// <exception cref="InvalidOperationException">Not configured; the message names the settings to set.</exception>
    public TableServiceClient Tables() => Read(Storage) is { Length: > 0 } cs
        ? new TableServiceClient(cs)
        : new TableServiceClient(StorageAccount.ForIdentity(Require(Storage + "__accountName", Storage)), Credential());

    /// <summary>Queue storage.</summary>
    /// <returns>The client.</returns>
    public QueueServiceClient Queues() => Read(Storage) is { Length: > 0 } cs
        ? new QueueServiceClient(cs)
        : new QueueServiceClient(StorageAccount.ForIdentity(Require(Storage + "__accountName", Storage)), Credential());

    /// <summary>The Event Hubs publisher for the ticks hub.</summary>
    /// <returns>The publisher.</returns>
    public EventHubPublisher TickPublisher() => Read(EventHubs) is { Length: > 0 } cs
        ? new EventHubPublisher(EventHubsConnection.Parse(cs, TicksHubName))
        : new EventHubPublisher(EventHubsConnection.ForIdentity(Require(EventHubs + "__fullyQualifiedNamespace", EventHubs), TicksHubName, Credential()));

    /// <summary>The Web PubSub client for the push hub.</summary>
    /// <returns>The client.</returns>
    public WebPubSubServiceClient Push() => new(
        Read(WebPubSub) is { Length: > 0 } cs ? WebPubSubConnection.Parse(cs) : new WebPubSubConnection(new Uri(Require(WebPubSub + "__endpoint", WebPubSub)), Credential()),
        PushHubName);

    /// <summary>The Cosmos connection.</summary>
    /// <returns>The connection.</returns>
    public CosmosConnection CosmosConnection() => Read(Cosmos) is { Length: > 0 } cs
        ? Platform.Azure.Cosmos.CosmosConnection.FromConnectionString(cs)
        : Platform.Azure.Cosmos.CosmosConnection.FromCredential(new Uri(Require(Cosmos + "__accountEndpoint", Cosmos)), Credential());

    private static DefaultAzureCredential Credential() => new();

    private string Require(string identitySetting, string connectionSetting) =>
        Read(identitySetting) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException($"setting '{connectionSetting}' (a connection string) or '{identitySetting}' (for the app's identity) is required and neither is set.");
}
