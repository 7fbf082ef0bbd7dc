using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Optimization.Statistics;

namespace SigmaFlow.Core.Optimization;

/// <summary>
/// Count, sum and sum of squares of a set of numbers, held exactly: each number is rounded once to a multiple of
/// 2⁻⁴⁰ and summed as a 128-bit integer, so the totals do not depend on the order or grouping of the additions. That
/// is what lets a sweep give bit-identical statistics whether it ran as one shard or five hundred.
/// </summary>
public readonly record struct ExactMoments
{
    private const double Scale = 1099511627776.0; // 2^40
    private const double Limit = 1e9;

    /// <summary>Numbers added (finite and |x| ≤ 10⁹; others are not added). Sums are checked: about 10⁸ numbers of the largest size fit.</summary>
    public long Count { get; init; }

    /// <summary>Σx in units of 2⁻⁴⁰.</summary>
    public Int128 Sum { get; init; }

    /// <summary>Σx² in units of 2⁻⁴⁰ (each square rounded once).</summary>
    public Int128 SumOfSquares { get; init; }

    /// <summary>Smallest number added (+∞ when none).</summary>
    public double Minimum { get; init; }

    /// <summary>Largest number added (−∞ when none).</summary>
    public double Maximum { get; init; }

    /// <summary>The empty set.</summary>
    public static ExactMoments Empty { get; } = new() { Minimum = double.PositiveInfinity, Maximum = double.NegativeInfinity };

    /// <summary>Mean, NaN when empty.</summary>
    public double Mean => Count == 0 ? double.NaN : (double)Sum / Scale / Count;

    /// <summary>Sample variance (divisor n − 1), NaN with fewer than 2 numbers.</summary>
    public double Variance
    {
        get
        {
            if (Count < 2)
            {
                return double.NaN;
            }

            var mean = (double)Sum / Scale / Count;
            var meanSquare = (double)SumOfSquares / Scale / Count;
            return Math.Max(0, (meanSquare - (mean * mean)) * Count / (Count - 1));
        }
    }

    /// <summary>Sample standard deviation.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Whether a number can be added (finite and not huge).</summary>
    /// <param name="x">The number.</param>
    /// <returns>True when <see cref="Add"/> counts it.</returns>
    public static bool Accepts(double x) => double.IsFinite(x) && Math.Abs(x) <= Limit;

    /// <summary>Adds a number (ignored unless <see cref="Accepts"/>).</summary>
    /// <param name="x">The number.</param>
    /// <returns>The new totals.</returns>
    public ExactMoments Add(double x) => !Accepts(x) ? this : this with
    {
        Count = Count + 1,
        Sum = checked(Sum + (Int128)Math.Round(x * Scale)),
        SumOfSquares = checked(SumOfSquares + (Int128)Math.Round(x * x * Scale)),
        Minimum = Math.Min(Minimum, x),
        Maximum = Math.Max(Maximum, x),
    };

    /// <summary>Totals of two disjoint sets.</summary>
    /// <param name="other">The other set.</param>
    /// <returns>The combined totals.</returns>
    public ExactMoments Combine(ExactMoments other) => new()
    {
        Count = Count + other.Count,
        Sum = checked(Sum + other.Sum),
        SumOfSquares = checked(SumOfSquares + other.SumOfSquares),
        Minimum = Math.Min(Minimum, other.Minimum),
        Maximum = Math.Max(Maximum, other.Maximum),
    };
}

/// <summary>Per-bar returns of one equity curve, summarised.</summary>
/// <param name="Count">Returns (bars − 1, less any bar after a non-positive equity).</param>
/// <param name="Mean">Mean per-bar return.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1).</param>
/// <param name="Skewness">Sample skewness m3 / m2^1.5 (population moments); NaN when the deviation is 0.</param>
/// <param name="Kurtosis">Kurtosis m4 / m2² (not excess: 3 for a normal distribution); NaN when the deviation is 0.</param>
/// <param name="Sharpe">Per-bar Sharpe ratio: the report's annualised Sharpe / √(bars per year), so the risk-free rate is taken out the same way.</param>
public sealed record ReturnProfile(int Count, double Mean, double StandardDeviation, double Skewness, double Kurtosis, double Sharpe)
{
    /// <summary>
    /// Summarises an equity curve and cuts its returns into <paramref name="blocks"/> equal parts for CSCV.
    /// </summary>
    /// <param name="equity">The equity curve.</param>
    /// <param name="metrics">The run's metrics (for the Sharpe ratio and bars per year).</param>
    /// <param name="blocks">Number of blocks.</param>
    /// <returns>The profile and the block sums.</returns>
    public static (ReturnProfile Profile, BlockReturns Blocks) Measure(ReadOnlySpan<double> equity, PerformanceMetrics metrics, int blocks)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var sum = new double[blocks];
        var squares = new double[blocks];
        var counts = new int[blocks];
        var positions = Math.Max(equity.Length - 1, 1);
        var returns = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(positions, 1));
        var n = 0;
        var total = 0.0;
        var block = 0;
        var blockEnd = (int)(((long)positions + blocks - 1) / blocks); // first t − 1 of block 1: ceil(positions / blocks)
        for (var t = 1; t < equity.Length; t++)
        {
            // Block of return position p = t − 1 is floor(p · blocks / positions); advance at each boundary.
            while (t - 1 >= blockEnd && block < blocks - 1)
            {
                block++;
                blockEnd = (int)((((long)(block + 1) * positions) + blocks - 1) / blocks);
            }

            var previous = equity[t - 1];
            if (!(previous > 0))
            {
                continue;
            }

            var r = (equity[t] / previous) - 1;
            returns[n++] = r;
            sum[block] += r;
            squares[block] += r * r;
            counts[block]++;
            total += r;
        }

        var mean = n > 0 ? total / n : double.NaN;
        double m2 = 0, m3 = 0, m4 = 0;
        for (var i = 0; i < n; i++)
        {
            var d = returns[i] - mean;
            var d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }

        System.Buffers.ArrayPool<double>.Shared.Return(returns);
        double sd = double.NaN, skew = double.NaN, kurt = double.NaN;
        if (n >= 2)
        {
            sd = Math.Sqrt(m2 / (n - 1));
            var pm2 = m2 / n;
            if (pm2 > 0)
            {
                skew = m3 / n / Math.Pow(pm2, 1.5);
                kurt = m4 / n / (pm2 * pm2);
            }
        }

        var sharpe = metrics.Sharpe / Math.Sqrt(metrics.BarsPerYear);
        return (new ReturnProfile(n, mean, sd, skew, kurt, sharpe), new BlockReturns(sum, squares, counts));
    }
}

/// <summary>One combination's outcome, kept in full for the best ones.</summary>
/// <param name="Index">Grid index: identifies the combination and breaks ranking ties (lower first).</param>
/// <param name="Parameters">Every parameter's value, in document order.</param>
/// <param name="Objective">The objective's value.</param>
/// <param name="Metrics">The backtest's metrics.</param>
/// <param name="Returns">Its per-bar returns, summarised.</param>
public sealed record TrialResult(long Index, double[] Parameters, double Objective, PerformanceMetrics Metrics, ReturnProfile Returns)
{
    /// <summary>Ranking order: higher objective first, then lower grid index.</summary>
    /// <param name="a">First.</param>
    /// <param name="b">Second.</param>
    /// <returns>Negative when <paramref name="a"/> ranks before <paramref name="b"/>.</returns>
    public static int Rank(TrialResult a, TrialResult b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var byObjective = b.Objective.CompareTo(a.Objective);
        return byObjective != 0 ? byObjective : a.Index.CompareTo(b.Index);
    }
}

/// <summary>One trial's block returns, held for CSCV.</summary>
/// <param name="Index">Grid index.</param>
/// <param name="Key">Pseudo-random key from the grid index; the sample keeps the smallest keys.</param>
/// <param name="Blocks">Its block sums.</param>
public sealed record PboEntry(long Index, ulong Key, BlockReturns Blocks);

/// <summary>A combination whose backtest failed.</summary>
/// <param name="Index">Grid index.</param>
/// <param name="Parameters">Its parameters, as text.</param>
/// <param name="Message">The error.</param>
public sealed record TrialFailure(long Index, string Parameters, string Message);

/// <summary>The part of the candidate sequence a shard covers: positions <see cref="Start"/> … <see cref="End"/> − 1.</summary>
/// <param name="Start">First position.</param>
/// <param name="End">One past the last position.</param>
public readonly record struct ShardKey(long Start, long End);

/// <summary>Counts and exact sums of one shard.</summary>
public sealed record ShardTotals
{
    /// <summary>Combinations backtested (trials).</summary>
    public long Evaluated { get; init; }

    /// <summary>Grid points skipped because a constraint failed.</summary>
    public long Excluded { get; init; }

    /// <summary>Trials not ranked: too few trades, an unmet requirement, or an objective that is NaN.</summary>
    public long Unranked { get; init; }

    /// <summary>Trials whose backtest threw.</summary>
    public long Failed { get; init; }

    /// <summary>The objective over ranked trials.</summary>
    public ExactMoments Objective { get; init; } = ExactMoments.Empty;

    /// <summary>The per-bar Sharpe ratio over every trial where it is defined (for the Deflated Sharpe Ratio).</summary>
    public ExactMoments Sharpe { get; init; } = ExactMoments.Empty;
}

/// <summary>
/// The outcome of a sweep or of any set of its shards. <see cref="Merge(SweepResult, SweepResult)"/> is associative,
/// commutative and idempotent: shards are held by the positions they cover (a shard delivered twice counts once),
/// sums are exact, the top list and the CSCV sample are sets ranked by fixed keys. So the merged result is identical
/// however the sweep was cut and in whatever order the pieces arrived.
/// </summary>
public sealed class SweepResult
{
    private PboResult? pbo;

    /// <summary>Creates a result.</summary>
    /// <param name="sweepHash">Identity of the sweep definition.</param>
    /// <param name="dataHash">Identity of the bars.</param>
    /// <param name="topLimit">Trials kept in full.</param>
    /// <param name="pboLimit">Trials kept for CSCV.</param>
    /// <param name="shards">Totals per shard.</param>
    /// <param name="top">Best trials (any order; ranked and trimmed here).</param>
    /// <param name="pboSample">CSCV sample (any order; trimmed here).</param>
    /// <param name="failures">Failed trials (the first ten by grid index are kept).</param>
    public SweepResult(string sweepHash, string dataHash, int topLimit, int pboLimit, IReadOnlyDictionary<ShardKey, ShardTotals> shards, IEnumerable<TrialResult> top, IEnumerable<PboEntry> pboSample, IEnumerable<TrialFailure> failures)
    {
        ArgumentNullException.ThrowIfNull(shards);
        SweepHash = sweepHash;
        DataHash = dataHash;
        TopLimit = topLimit;
        PboLimit = pboLimit;
        Shards = new SortedDictionary<ShardKey, ShardTotals>(shards.ToDictionary(), Comparer<ShardKey>.Create((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End)));
        Top = top.DistinctBy(t => t.Index).Order(Comparer<TrialResult>.Create(TrialResult.Rank)).Take(topLimit).ToArray();
        PboSample = pboSample.DistinctBy(e => e.Index).OrderBy(e => e.Key).ThenBy(e => e.Index).Take(pboLimit).OrderBy(e => e.Index).ToArray();
        Failures = failures.DistinctBy(f => f.Index).OrderBy(f => f.Index).Take(10).ToArray();
        var totals = new ShardTotals();
        foreach (var s in Shards.Values)
        {
            totals = new ShardTotals
            {
                Evaluated = totals.Evaluated + s.Evaluated,
                Excluded = totals.Excluded + s.Excluded,
                Unranked = totals.Unranked + s.Unranked,
                Failed = totals.Failed + s.Failed,
                Objective = totals.Objective.Combine(s.Objective),
                Sharpe = totals.Sharpe.Combine(s.Sharpe),
            };
        }

        Totals = totals;
    }

    /// <summary>Identity of the sweep definition.</summary>
    public string SweepHash { get; }

    /// <summary>Identity of the bars.</summary>
    public string DataHash { get; }

    /// <summary>Trials kept in full.</summary>
    public int TopLimit { get; }

    /// <summary>Trials kept for CSCV.</summary>
    public int PboLimit { get; }

    /// <summary>Totals per shard, by position.</summary>
    public IReadOnlyDictionary<ShardKey, ShardTotals> Shards { get; }

    /// <summary>Totals over all shards.</summary>
    public ShardTotals Totals { get; }

    /// <summary>Combinations backtested (the number of trials).</summary>
    public long Combinations => Totals.Evaluated;

    /// <summary>The best ranked trials, best first.</summary>
    public IReadOnlyList<TrialResult> Top { get; }

    /// <summary>Trials whose block returns feed CSCV, by grid index.</summary>
    public IReadOnlyList<PboEntry> PboSample { get; }

    /// <summary>The first failed trials by grid index.</summary>
    public IReadOnlyList<TrialFailure> Failures { get; }

    /// <summary>The best trial, or null when no trial was ranked.</summary>
    public TrialResult? Best => Top.Count > 0 ? Top[0] : null;

    /// <summary>The Deflated Sharpe Ratio of the best trial, with the number of trials actually run; NaN when undefined.</summary>
    public double DeflatedSharpe => DeflatedSharpeFor(Combinations);

    /// <summary>The Probability of Backtest Overfitting by CSCV over <see cref="PboSample"/>.</summary>
    public PboResult Pbo => pbo ??= Cscv.Compute(PboSample.Select(e => e.Blocks).ToArray());

    /// <summary>
    /// The Deflated Sharpe Ratio of the best trial: the probability that its true Sharpe ratio is above the highest
    /// one expected from <paramref name="trials"/> unskilled trials with the Sharpe-ratio variance seen in this sweep.
    /// </summary>
    /// <param name="trials">Trials to deflate for (more than <see cref="Combinations"/> when earlier rounds were tried too).</param>
    /// <returns>The probability, NaN when undefined.</returns>
    public double DeflatedSharpeFor(long trials) => DeflatedSharpeFor(trials, Totals.Sharpe);

    /// <summary>The Deflated Sharpe Ratio of the best trial with a given trial count and trial Sharpe-ratio moments.</summary>
    /// <param name="trials">Trials to deflate for.</param>
    /// <param name="trialSharpes">Per-bar Sharpe ratios of the trials (their variance sets the expected maximum).</param>
    /// <returns>The probability, NaN when undefined.</returns>
    public double DeflatedSharpeFor(long trials, ExactMoments trialSharpes)
    {
        if (Best is not { } best)
        {
            return double.NaN;
        }

        var variance = trialSharpes.Count >= 2 ? trialSharpes.Variance : 0;
        var r = best.Returns;
        return Statistics.DeflatedSharpe.Compute(r.Sharpe, variance, Math.Max(trials, 1), r.Count, r.Skewness, r.Kurtosis);
    }

    /// <summary>Merges two results of the same sweep over the same bars.</summary>
    /// <param name="a">One result.</param>
    /// <param name="b">Another.</param>
    /// <returns>The merged result.</returns>
    /// <exception cref="ArgumentException">Different sweeps or bars, or shards that overlap without being the same shard.</exception>
    public static SweepResult Merge(SweepResult a, SweepResult b) => Merge([a, b]);

    /// <summary>Merges results of the same sweep over the same bars.</summary>
    /// <param name="results">The results (at least one).</param>
    /// <returns>The merged result.</returns>
    /// <exception cref="ArgumentException">Different sweeps or bars, or shards that overlap without being the same shard.</exception>
    public static SweepResult Merge(IEnumerable<SweepResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var list = results.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("results must hold at least one sweep result; got none.", nameof(results));
        }

        var first = list[0];
        var shards = new Dictionary<ShardKey, ShardTotals>();
        foreach (var r in list)
        {
            if (r.SweepHash != first.SweepHash || r.DataHash != first.DataHash)
            {
                throw new ArgumentException($"results must come from one sweep over one data set; got sweep {Short(first.SweepHash)} on data {Short(first.DataHash)} and sweep {Short(r.SweepHash)} on data {Short(r.DataHash)}.", nameof(results));
            }

            if (r.TopLimit != first.TopLimit || r.PboLimit != first.PboLimit)
            {
                throw new ArgumentException($"results must keep the same number of trials; got top {first.TopLimit}/{r.TopLimit}, CSCV {first.PboLimit}/{r.PboLimit}.", nameof(results));
            }

            foreach (var (key, totals) in r.Shards)
            {
                shards.TryAdd(key, totals);
            }
        }

        var ordered = shards.Keys.OrderBy(k => k.Start).ThenBy(k => k.End).ToList();
        for (var i = 1; i < ordered.Count; i++)
        {
            if (ordered[i].Start < ordered[i - 1].End)
            {
                throw new ArgumentException($"shards must cover disjoint positions; {ordered[i - 1].Start}…{ordered[i - 1].End - 1} overlaps {ordered[i].Start}…{ordered[i].End - 1}. Merge results of one plan.", nameof(results));
            }
        }

        return new SweepResult(first.SweepHash, first.DataHash, first.TopLimit, first.PboLimit, shards, list.SelectMany(r => r.Top), list.SelectMany(r => r.PboSample), list.SelectMany(r => r.Failures));
    }

    private static string Short(string hash) => hash.Length > 12 ? hash[..12] : hash;
}
