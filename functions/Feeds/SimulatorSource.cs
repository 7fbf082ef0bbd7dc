using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// Ticks from <see cref="TickSimulator"/>, stamped from the feed's start time on (the wall clock) and due when their
/// time comes, so the feed publishes in real time. Sequence numbers are the simulator's: 1, 2, 3, … per symbol.
/// </summary>
/// <remarks>
/// The simulator's rate is an average over a UTC day shaped by an intraday profile (0.55× at noon to 1.9× at
/// midnight); the requested rate is divided by the profile at the start time so the feed starts at that rate (over a
/// long run it follows the profile from there). The simulator stamps whole milliseconds with at least 1 ms between a
/// symbol's ticks, which caps one symbol near 1,000 ticks/s and already slows it noticeably from about 500/s;
/// <see cref="RealisedRate"/> says what to expect.
/// </remarks>
internal sealed class SimulatorSource : ITickSource
{
    private readonly TickSimulator simulator;
    private readonly long startTime;

    /// <summary>Creates the source.</summary>
    /// <param name="symbols">The symbols.</param>
    /// <param name="ticksPerSecond">Requested rate over all symbols.</param>
    /// <param name="seed">The simulator's seed.</param>
    /// <param name="startUnixMilliseconds">Time of the feed's start (the first tick comes a little later).</param>
    /// <exception cref="ArgumentException">A setting is out of range (the simulator's message).</exception>
    public SimulatorSource(IReadOnlyList<string> symbols, double ticksPerSecond, ulong seed, long startUnixMilliseconds)
    {
        startTime = startUnixMilliseconds;
        simulator = new TickSimulator(new TickSimulatorOptions
        {
            Seed = seed,
            Symbols = symbols,
            StartTime = startUnixMilliseconds,
            TicksPerSecond = ticksPerSecond / TickSimulator.IntradayProfile(startUnixMilliseconds),
        });
        Description = string.Create(CultureInfo.InvariantCulture, $"simulator {string.Join(',', symbols)} (seed {seed}, {ticksPerSecond:0.###} ticks/s)");
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool IsPaced => true;

    /// <summary>
    /// The rate the simulator delivers for a requested rate: a symbol's gaps are exponential with mean 1000 / r ms,
    /// rounded to whole milliseconds and at least 1 ms, so its realised rate is 1000 / E[max(1, round(gap))].
    /// </summary>
    /// <param name="ticksPerSecond">Requested rate over all symbols.</param>
    /// <param name="symbolCount">Number of symbols.</param>
    /// <returns>The expected realised rate over all symbols.</returns>
    public static double RealisedRate(double ticksPerSecond, int symbolCount)
    {
        var mean = 1000.0 * symbolCount / ticksPerSecond; // mean gap of one symbol, ms
        if (mean > 50)
        {
            return ticksPerSecond; // rounding to whole milliseconds no longer matters
        }

        // P(round(X) = k) = P(k − ½ ≤ X < k + ½); k = 0 and 1 both become a 1 ms gap.
        var expected = 1 - Math.Exp(-1.5 / mean);
        for (var k = 2; k < 2000; k++)
        {
            var p = Math.Exp(-(k - 0.5) / mean) - Math.Exp(-(k + 0.5) / mean);
            expected += k * p;
            if (p < 1e-12)
            {
                break;
            }
        }

        return 1000.0 / expected * symbolCount;
    }

    /// <inheritdoc />
    public bool TryNext(out FeedTick next)
    {
        var tick = simulator.Next();
        next = new FeedTick(tick, tick.Time - startTime);
        return true;
    }
}
