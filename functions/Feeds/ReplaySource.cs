using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Functions.Feeds;

/// <summary>
/// Replays recorded ticks (from a tick CSV, or made from bars with <see cref="FromBars"/>) paced by their times:
/// <c>speed</c> times faster than real time, or as fast as possible at speed 0. Sequence numbers are assigned per symbol
/// in file order, from 1. Times are kept, or with <c>rebase</c> moved so the replay looks live: a tick is stamped with
/// the wall-clock time it is due, <c>start + (time − first) / speed</c> (at speed 0, <c>start + (time − first)</c>).
/// </summary>
internal sealed class ReplaySource : ITickSource
{
    /// <summary>Duration given to the bar of a one-bar file, whose cadence cannot be measured: one minute.</summary>
    public const long SingleBarDurationMilliseconds = 60_000;

    private readonly IReadOnlyList<Tick> ticks;
    private readonly Dictionary<string, long> sequences = new(StringComparer.Ordinal);
    private readonly double speed;
    private readonly bool rebase;
    private readonly long startTime;
    private readonly long firstTime;
    private int index;

    /// <summary>Creates the replay.</summary>
    /// <param name="ticks">The ticks, in time order.</param>
    /// <param name="speed">Replay speed: 1 is real time, 60 is a minute per second, 0 is as fast as possible.</param>
    /// <param name="rebase">Stamp ticks with the time they are due rather than their recorded time.</param>
    /// <param name="startUnixMilliseconds">Wall-clock time of the feed's start.</param>
    /// <param name="description">What is replayed, for the summary.</param>
    public ReplaySource(IReadOnlyList<Tick> ticks, double speed, bool rebase, long startUnixMilliseconds, string description)
    {
        ArgumentNullException.ThrowIfNull(ticks);
        if (!double.IsFinite(speed) || speed < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, string.Create(CultureInfo.InvariantCulture, $"speed must be 0 or a finite number above 0; got {speed}."));
        }

        this.ticks = ticks;
        this.speed = speed;
        this.rebase = rebase;
        startTime = startUnixMilliseconds;
        firstTime = ticks.Count > 0 ? ticks[0].Time : 0;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <inheritdoc />
    public bool IsPaced => speed > 0;

    /// <summary>Number of ticks the replay holds.</summary>
    public int Count => ticks.Count;

    /// <summary>
    /// Four ticks per bar: the open, then the high and the low (the one nearer the open first; at equal distances the
    /// low first when the bar closes at or above its open, else the high), then the close. They are spread evenly over
    /// the bar, at 0, ¼, ½ and ¾ of its duration: the series' cadence (the median interval; one minute for a single
    /// bar), cut short when the next bar starts earlier. Each carries a quarter of the bar's volume, the close the
    /// remainder, so the four sizes add up to the volume exactly. No bid or ask.
    /// </summary>
    /// <param name="bars">The bars.</param>
    /// <param name="symbol">Their symbol.</param>
    /// <returns>The ticks, in time order.</returns>
    public static List<Tick> FromBars(BarSeries bars, string symbol)
    {
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        var result = new List<Tick>(bars.Count * 4);
        var cadence = bars.Count > 1 && DataQualityReport.Analyze(bars).Cadence is { } c ? Math.Max(1, (long)c.TotalMilliseconds) : SingleBarDurationMilliseconds;
        for (var i = 0; i < bars.Count; i++)
        {
            var bar = bars[i];
            var duration = i + 1 < bars.Count ? Math.Min(cadence, bars.Time[i + 1] - bar.Time) : cadence;
            var highFirst = Math.Abs(bar.High - bar.Open) < Math.Abs(bar.Open - bar.Low)
                || (Math.Abs(bar.High - bar.Open) == Math.Abs(bar.Open - bar.Low) && bar.Close < bar.Open);
            var quarter = bar.Volume / 4;
            result.Add(new Tick(symbol, bar.Time, bar.Open, quarter));
            result.Add(new Tick(symbol, bar.Time + (duration / 4), highFirst ? bar.High : bar.Low, quarter));
            result.Add(new Tick(symbol, bar.Time + (duration / 2), highFirst ? bar.Low : bar.High, quarter));
            result.Add(new Tick(symbol, bar.Time + (duration * 3 / 4), bar.Close, bar.Volume - (3 * quarter)));
        }

        return result;
    }

    /// <inheritdoc />
    public bool TryNext(out FeedTick next)
    {
        if (index >= ticks.Count)
        {
            next = default;
            return false;
        }

        var tick = ticks[index++];
        var offset = tick.Time - firstTime;
        var due = speed == 0 ? 0 : offset / speed;
        var sequence = sequences.TryGetValue(tick.Symbol, out var last) ? last + 1 : 1;
        sequences[tick.Symbol] = sequence;
        var time = !rebase ? tick.Time : startTime + (speed == 0 ? offset : (long)Math.Round(due));
        next = new FeedTick(tick with { Time = time, Sequence = sequence }, due);
        return true;
    }
}
