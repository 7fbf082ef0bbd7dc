using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Functions.RunSweepShard;
using SigmaFlow.Platform.Alerts.Safety;
using SigmaFlow.Platform.Alerts.Storage;
using SigmaFlow.Platform.Azure.WebPubSub;
using SigmaFlow.Platform.Jobs;
using SigmaFlow.Platform.Live;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api;

/// <summary>
/// What the API's endpoints use, built once from the platform settings. A service that is not configured is null, and
/// the endpoints that need it answer 503 with the setting to set; the rest of the API keeps working.
/// </summary>
internal sealed record ApiServices
{
    /// <summary>Setting that lets the API trust the <c>x-ms-client-principal</c> header (only behind Azure's authentication, which strips it from callers).</summary>
    public const string AcceptPrincipalSetting = "ApiAcceptPrincipalHeader";

    public required TimeProvider Clock { get; init; }

    public StrategyStore? Strategies { get; init; }

    public WatchlistStore? Watchlists { get; init; }

    public ApiKeyStore? Keys { get; init; }

    public IdempotencyStore? Idempotency { get; init; }

    public MarketDataReader? Market { get; init; }

    public WebPubSubServiceClient? Push { get; init; }

    public HookStore? Hooks { get; init; }

    /// <summary>Where signals are recorded (the live pipeline's signals table).</summary>
    public ISignalStore? Signals { get; init; }

    /// <summary>The alert candidates queue.</summary>
    public IAlertPublisher? Alerts { get; init; }

    /// <summary>Alert rules, channels and the delivery log.</summary>
    public AlertStore? AlertRules { get; init; }

    /// <summary>Push to Web PubSub groups (null when Web PubSub is not configured: nothing is pushed).</summary>
    public ILivePush? LivePush { get; init; }
    public ScreenerStore? Screeners { get; init; }

    /// <summary>The market scan, for ad-hoc scans (stores, pushes and alerts nothing).</summary>
    public MarketScan? Scanner { get; init; }

    public bool AcceptPrincipalHeader { get; init; }

    /// <summary>Sweep jobs (queues + Cosmos), built on first use; null when storage or Cosmos is not configured.</summary>
    public Func<CancellationToken, Task<SweepJobService>>? SweepJobs { get; init; }

    public static ApiServices From(PlatformSettings settings, TimeProvider clock, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tables = settings.HasStorage ? settings.Tables() : null;
        var push = settings.HasWebPubSub ? settings.Push() : null;
        var screeners = tables is null ? null : new ScreenerStore(tables, clock);
        var watchlists = tables is null ? null : new WatchlistStore(tables, clock);
        return new ApiServices
        {
            Clock = clock,
            Strategies = tables is null ? null : new StrategyStore(tables, clock),
            Watchlists = watchlists,
            Keys = tables is null ? null : new ApiKeyStore(tables, clock),
            Idempotency = tables is null ? null : new IdempotencyStore(tables, clock),
            Market = tables is null ? null : new MarketDataReader(tables),
            Push = push,
            Hooks = tables is null ? null : new HookStore(tables, clock),
            AlertRules = tables is null ? null : new AlertStore(tables, new AlertTargetPolicy(settings.AlertsAllowLocalTargets), clock),
            Signals = tables is null ? null : new TableIngestStore(tables, clock),
            Alerts = settings.HasStorage ? new QueueAlertPublisher(settings.Queues().GetQueueClient(LiveNames.AlertsQueue)) : null,
            LivePush = push is null ? null : new WebPubSubLivePush(push),
            SweepJobs = settings.HasStorage && settings.HasCosmos ? Once(token => SweepJobsComposition.CreateServiceAsync(settings, clock, loggerFactory ?? NullLoggerFactory.Instance, token)) : null,
            Screeners = screeners,
            Scanner = tables is null ? null : new MarketScan(screeners!, watchlists!, new TableIngestStore(tables, clock), null, null, clock, NullLogger.Instance),
            AcceptPrincipalHeader = string.Equals(settings.Read(AcceptPrincipalSetting), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>A value built once on first use; a failed or cancelled build is not kept, so the next call tries again.</summary>
    private static Func<CancellationToken, Task<T>> Once<T>(Func<CancellationToken, Task<T>> build)
    {
        var gate = new Lock();
        Task<T>? task = null;
        return token =>
        {
            Task<T> current;
            lock (gate)
            {
                if (task is null || task.IsFaulted || task.IsCanceled)
                {
                    task = build(CancellationToken.None);
                }

                current = task;
            }

            return current.WaitAsync(token);
        };
    }

    public static T Require<T>(T? service, string what, string setting)
        where T : class =>
        service ?? throw ApiProblem.Unavailable($"{what} needs setting '{setting}', which is not configured.");
}
