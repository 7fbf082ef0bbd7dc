using System.Text.Json;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Screening;

namespace SigmaFlow.Functions.ScanMarkets;

/// <summary>
/// <c>ScanMarkets</c>: the timer trigger (schedule <c>%ScanSchedule%</c>, every 15 minutes by default) of the market
/// scan. Reads the host's <c>TimerInfo</c>, runs <see cref="MarketScan.RunAsync"/> and answers with one log line. When a
/// screener's alerts or result could not be stored the invocation fails, so the function's retry policy runs the scan
/// again; the scan makes re-runs idempotent (alert ids are stable, stored results leave nothing new).
/// </summary>
public sealed class ScanMarketsHandler : IFunctionHandler
{
    /// <summary>The function's name (its folder).</summary>
    public const string FunctionName = "ScanMarkets";

    /// <summary>The trigger binding's name in <c>function.json</c>.</summary>
    public const string BindingName = "timer";

    private readonly Func<MarketScan> scan;

    /// <summary>Creates the handler.</summary>
    /// <param name="scan">Gives the scan use case (called on every invocation; may build it on the first).</param>
    public ScanMarketsHandler(Func<MarketScan> scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        this.scan = scan;
    }


    /// <inheritdoc />
    public string Name => FunctionName;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">The function is not configured, or some screener's alerts or result could not be stored (the message lists them).</exception>
    public async Task<InvocationResult> InvokeAsync(InvocationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var pastDue = IsPastDue(request);
        var report = await scan().RunAsync(cancellationToken).ConfigureAwait(false);
        var line = report.ToLogLine() + (pastDue ? " (the run was past due)" : string.Empty);
        return report.Failures.Count > 0 ? throw new InvalidOperationException(line) : new InvocationResult().Log(line);
    }

    /// <summary>
    /// Whether the host says the run is late (<c>Data.timer.IsPastDue</c>: <c>true</c>, or <c>"true"</c> as some hosts encode
    /// it). A missing or unreadable <c>TimerInfo</c> does not stop the scan: the timer fired, and that is all it needs.
    /// </summary>
    /// <param name="request">The invocation.</param>
    /// <returns>True when past due.</returns>
    public static bool IsPastDue(InvocationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var timer = request.Data(BindingName);
        if (timer.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var property in timer.EnumerateObject())
        {
            if (property.Name.Equals("IsPastDue", StringComparison.OrdinalIgnoreCase))
            {
                var value = InvocationRequest.Normalize(property.Value);
                return value.ValueKind == JsonValueKind.True;
            }
        }

        return false;
    }
}
