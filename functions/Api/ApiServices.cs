using Microsoft.Extensions.Logging.Abstractions;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Azure.WebPubSub;
using SigmaFlow.Platform.Live.Adapters;
using SigmaFlow.Platform.Screening;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api;

/// <summary>
/// What the API's endpoints use, built once from the platform settings. A service that is not configured is null, and
/// the endpoints that need it answer 503 with the setting to set; the rest of the API keeps working.
/// </summary>
internal sealed class ApiServices
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

    public ScreenerStore? Screeners { get; init; }

    /// <summary>The market scan, for ad-hoc scans (stores, pushes and alerts nothing).</summary>
    public MarketScan? Scanner { get; init; }

    public bool AcceptPrincipalHeader { get; init; }

    public static ApiServices From(PlatformSettings settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var tables = settings.HasStorage ? settings.Tables() : null;
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
            Push = settings.HasWebPubSub ? settings.Push() : null,
            Screeners = screeners,
            Scanner = tables is null ? null : new MarketScan(screeners!, watchlists!, new TableIngestStore(tables, clock), null, null, clock, NullLogger.Instance),
            AcceptPrincipalHeader = string.Equals(settings.Read(AcceptPrincipalSetting), "true", StringComparison.OrdinalIgnoreCase),
        };
    }

    public static T Require<T>(T? service, string what, string setting)
        where T : class =>
        service ?? throw ApiProblem.Unavailable($"{what} needs setting '{setting}', which is not configured.");
}
