using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Core.Backtesting;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Optimization;

/// <summary>A piece of a sweep: the candidates at positions <see cref="Start"/> … <see cref="End"/> − 1.</summary>
/// <param name="Number">Shard number in its plan (0-based), for logs and progress only.</param>
/// <param name="Start">First position.</param>
/// <param name="End">One past the last position.</param>
/// <param name="Combinations">Combinations it will backtest (positions excluded by constraints not counted).</param>
public sealed record SweepShard(int Number, long Start, long End, long Combinations)
{
    /// <summary>The key its results are merged under.</summary>
    public ShardKey Key => new(Start, End);
}

/// <summary>How <see cref="Sweep.Plan"/> sizes shards.</summary>
public sealed record ShardSizing
{
    /// <summary>How long one shard should run.</summary>
    public TimeSpan TargetDuration { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Estimated cost of one combination per bar traded, in nanoseconds (a measured figure for this engine on one core;
    /// <see cref="Sweep.Calibrate"/> measures it on the machine at hand).
    /// </summary>
    public double NanosecondsPerBar { get; init; } = 60;

    /// <summary>Fewest shards to cut (e.g. the number of workers), as long as each gets at least one combination.</summary>
    public int MinimumShards { get; init; } = 1;
}

/// <summary>Progress of a sweep.</summary>
/// <param name="Done">Combinations backtested or skipped so far.</param>
/// <param name="Total">Combinations in the sweep.</param>
public readonly record struct SweepProgress(long Done, long Total);

/// <summary>
/// A validated sweep: the definition with its parameter space, objective and candidate sequence resolved, and its
/// identity hash. Positions in the candidate sequence are grid indices for <see cref="SearchMethod.Grid"/> (points
/// failing a constraint are skipped when run) and indices into <see cref="Candidates"/> otherwise.
/// </summary>
public sealed class PreparedSweep
{
    internal PreparedSweep(SweepDefinition definition, ParameterSpace space, ScalarExpression objective, ScalarExpression[] requirements, long[]? candidates, string hash)
    {
        Definition = definition;
        Space = space;
        Objective = objective;
        Requirements = requirements;
        Candidates = candidates;
        Hash = hash;
    }

    /// <summary>The definition.</summary>
    public SweepDefinition Definition { get; }

    /// <summary>The parameter space.</summary>
    public ParameterSpace Space { get; }

    /// <summary>The objective, over <see cref="MetricValues.Names"/>.</summary>
    public ScalarExpression Objective { get; }

    /// <summary>Requirements on metrics.</summary>
    public IReadOnlyList<ScalarExpression> Requirements { get; }

    /// <summary>Grid indices to try (ascending), or null for the whole grid.</summary>
    public IReadOnlyList<long>? Candidates { get; }

    /// <summary>Positions in the candidate sequence.</summary>
    public long Positions => Candidates?.Count ?? Space.Size;

    /// <summary>SHA-256 identity of the definition.</summary>
    public string Hash { get; }

    /// <summary>Grid index at a position.</summary>
    /// <param name="position">The position.</param>
    /// <returns>The grid index.</returns>
    public long IndexAt(long position) => Candidates is { } c ? c[(int)position] : position;
}

/// <summary>
/// Parameter sweeps as pure functions, independent of where they run: <see cref="Prepare"/> a definition,
/// <see cref="Plan"/> it into shards sized to a target duration, <see cref="RunShard"/> each one anywhere (a local
/// thread, a queue-triggered function), and <see cref="SweepResult.Merge(IEnumerable{SweepResult})"/> the pieces.
/// </summary>
public static class Sweep
{
    /// <summary>Validates a definition and resolves its candidates.</summary>
    /// <param name="definition">The sweep.</param>
    /// <returns>The prepared sweep.</returns>
    /// <exception cref="ArgumentException">Every problem with the parameters, constraints, objective or settings.</exception>
    public static PreparedSweep Prepare(SweepDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        definition.Validate();
        var space = ParameterSpace.Create(definition.Strategy, definition.Axes, definition.Constraints);
        var problems = new List<string>();
        ScalarExpression? objective = null;
        try
        {
            objective = ScalarExpression.Parse(definition.Objective.Expression, MetricValues.Names);
        }
        catch (FormatException e)
        {
            var builtins = string.Join(", ", SweepObjective.BuiltinNames);
            problems.Add($"objective must be one of {builtins} or an expression over the metrics; {e.Message}{Spelling.Hint(definition.Objective.Name, SweepObjective.BuiltinNames)}");
        }

        var requirements = new List<ScalarExpression>();
        foreach (var text in definition.Requirements)
        {
            try
            {
                var r = ScalarExpression.Parse(text, MetricValues.Names);
                if (!r.IsBoolean)
                {
                    problems.Add($"requirement '{text}' must be a condition, e.g. maxDrawdown > -0.3.");
                }

                requirements.Add(r);
            }
            catch (FormatException e)
            {
                problems.Add($"requirement {e.Message}");
            }
        }

        // Check that the strategy compiles at its defaults, so a broken document fails once, not once per combination.
        try
        {
            StrategyCompiler.Compile(definition.Strategy);
        }
        catch (StrategyException e)
        {
            problems.Add(e.Message);
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(definition));
        }

        long[]? candidates = null;
        if (definition.Candidates is { } given)
        {
            candidates = given.Distinct().Order().ToArray();
            foreach (var index in candidates)
            {
                if (index < 0 || index >= space.Size || !space.Allows(index))
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"candidates must be allowed grid indices in 0 … {space.Size - 1}; got {index}."), nameof(definition));
                }
            }
        }
        else if (definition.Method != SearchMethod.Grid)
        {
            candidates = Sample(space, definition.Samples, definition.Seed);
        }

        if (candidates is { Length: 0 })
        {
            throw new ArgumentException($"no combination meets the constraints ({string.Join("; ", space.Constraints)}) among the {space.Size} grid points; check them against the ranges.", nameof(definition));
        }

        return new PreparedSweep(definition, space, objective!, [.. requirements], candidates, Identity(definition, candidates));
    }

    /// <summary>
    /// Cuts a sweep into shards of about <see cref="ShardSizing.TargetDuration"/> each (combinations × bars × cost per bar),
    /// and at least <see cref="ShardSizing.MinimumShards"/>. Shards are contiguous runs of positions that together cover all of them.
    /// </summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="barCount">Bars in the series the sweep will run on.</param>
    /// <param name="sizing">Sizing (defaults when null).</param>
    /// <param name="cancellationToken">Stops planning (a constrained grid is scanned point by point).</param>
    /// <returns>The shards, in position order.</returns>
    /// <exception cref="ArgumentException">No combination meets the constraints.</exception>
    public static IReadOnlyList<SweepShard> Plan(PreparedSweep sweep, int barCount, ShardSizing? sizing = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        sizing ??= new ShardSizing();
        var bars = sweep.Definition.Range?.Length ?? barCount;
        var costPerCombination = Math.Max(1.0, bars * sizing.NanosecondsPerBar);
        var total = CountCombinations(sweep, cancellationToken);
        if (total == 0)
        {
            throw new ArgumentException($"no combination meets the constraints ({string.Join("; ", sweep.Space.Constraints)}) among the {sweep.Positions} grid points; check them against the ranges.", nameof(sweep));
        }

        var byDuration = (long)Math.Max(1, Math.Floor(sizing.TargetDuration.TotalNanoseconds / costPerCombination));
        var byCount = (long)Math.Ceiling(total / (double)Math.Max(1, sizing.MinimumShards));
        var perShard = Math.Max(1, Math.Min(byDuration, byCount));
        var positions = sweep.Positions;
        var shards = new List<SweepShard>();
        if (sweep.Candidates is not null || sweep.Space.Constraints.Count == 0)
        {
            // Every position is a combination: cut by arithmetic.
            for (long start = 0; start < positions; start += perShard)
            {
                var end = Math.Min(positions, start + perShard);
                shards.Add(new SweepShard(shards.Count, start, end, end - start));
            }

            return shards;
        }

        long shardStart = 0, inShard = 0;
        for (long p = 0; p < positions; p++)
        {
            if ((p & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (!sweep.Space.Allows(p))
            {
                continue;
            }

            if (++inShard == perShard)
            {
                shards.Add(new SweepShard(shards.Count, shardStart, p + 1, inShard));
                shardStart = p + 1;
                inShard = 0;
            }
        }

        if (inShard > 0)
        {
            shards.Add(new SweepShard(shards.Count, shardStart, positions, inShard));
        }
        else if (shardStart < positions)
        {
            // Trailing positions that are all excluded join the last shard, so the plan covers every position.
            shards[^1] = shards[^1] with { End = positions };
        }

        return shards;
    }

    /// <summary>Combinations the sweep will backtest (positions meeting the constraints).</summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="cancellationToken">Stops the count (a constrained grid is scanned point by point).</param>
    /// <returns>The count.</returns>
    public static long CountCombinations(PreparedSweep sweep, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        if (sweep.Candidates is { } c)
        {
            return c.Count;
        }

        if (sweep.Space.Constraints.Count == 0)
        {
            return sweep.Space.Size;
        }

        long count = 0;
        for (long i = 0; i < sweep.Space.Size; i++)
        {
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (sweep.Space.Allows(i))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Backtests every combination of a shard and summarises them. Each combination's strategy is compiled with its
    /// parameters and run by <see cref="BacktestEngine"/> exactly as a single backtest would be; indicator columns
    /// come from <paramref name="cache"/>, so each distinct indicator is computed once per series.
    /// </summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="bars">The bars (the same series for every shard of the sweep).</param>
    /// <param name="shard">The shard.</param>
    /// <param name="cache">Indicator columns of <paramref name="bars"/>, shared between shards on one machine (a new one when null).</param>
    /// <param name="progress">Receives the number of positions finished since the last report.</param>
    /// <param name="cancellationToken">Stops the shard between combinations.</param>
    /// <returns>The shard's result.</returns>
    public static SweepResult RunShard(PreparedSweep sweep, BarSeries bars, SweepShard shard, IndicatorColumnCache? cache = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(bars);
        ArgumentNullException.ThrowIfNull(shard);
        if (shard.Start < 0 || shard.End > sweep.Positions || shard.Start >= shard.End)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"shard must cover positions inside 0 … {sweep.Positions - 1}; got {shard.Start} … {shard.End - 1}."), nameof(shard));
        }

        sweep.Definition.Range?.Validate(bars.Count);
        cache ??= new IndicatorColumnCache();
        cache.Bind(bars);
        var definition = sweep.Definition;
        var space = sweep.Space;
        var top = new List<TrialResult>(definition.Top + 1);
        var pbo = new PriorityQueue<PboEntry, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        var failures = new List<TrialFailure>();
        var totals = new ShardTotals();
        var values = new double[space.Names.Count];
        var metrics = new double[MetricValues.Names.Count];
        var overrides = new Dictionary<string, double>(StringComparer.Ordinal);
        var hashSeed = Hashing.Seed(sweep.Hash);
        var sinceReport = 0L;
        var constrained = sweep.Candidates is null && space.Constraints.Count > 0;
        long evaluated = 0, excluded = 0, unranked = 0, failed = 0;
        var objectiveMoments = ExactMoments.Empty;
        var sharpeMoments = ExactMoments.Empty;

        for (var p = shard.Start; p < shard.End; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var index = sweep.IndexAt(p);
            space.Decode(index, values);
            if (constrained && !space.Allows(values))
            {
                excluded++;
                Report(ref sinceReport, progress);
                continue;
            }

            space.ToOverrides(values, overrides);
            BacktestResult result;
            try
            {
                var strategy = StrategyCompiler.Compile(definition.Strategy, overrides);
                result = BacktestEngine.Run(bars, strategy, definition.Options, cache, definition.Range);
            }
            catch (Exception e) when (e is StrategyException or IndicatorSpecException or ArithmeticException)
            {
                // A combination the strategy cannot take (an indicator argument rule, money out of range): recorded
                // with its reason, not counted as a trial, and the shard goes on.
                failed++;
                if (failures.Count < 10)
                {
                    failures.Add(new TrialFailure(index, Describe(space, values), e.Message));
                }

                Report(ref sinceReport, progress);
                continue;
            }

            evaluated++;
            var (profile, blocks) = ReturnProfile.Measure(result.Equity, result.Metrics, definition.PboBlocks);
            sharpeMoments = sharpeMoments.Add(profile.Sharpe);
            var key = Hashing.Mix(hashSeed ^ (ulong)index);
            if (pbo.Count < definition.PboTrials)
            {
                pbo.Enqueue(new PboEntry(index, key, blocks), key);
            }
            else if (pbo.TryPeek(out _, out var largest) && key < largest)
            {
                pbo.DequeueEnqueue(new PboEntry(index, key, blocks), key);
            }

            MetricValues.Fill(result.Metrics, metrics);
            var objective = sweep.Objective.Evaluate(metrics);
            var ranked = !double.IsNaN(objective) && result.Metrics.TradeCount >= definition.MinTrades;
            foreach (var requirement in sweep.Requirements)
            {
                ranked &= requirement.IsTrue(metrics);
            }

            if (!ranked)
            {
                unranked++;
            }
            else
            {
                objectiveMoments = objectiveMoments.Add(objective);
                Offer(top, definition.Top, new TrialResult(index, (double[])values.Clone(), objective, result.Metrics, profile));
            }

            Report(ref sinceReport, progress);
        }

        progress?.Report(sinceReport);
        totals = totals with { Evaluated = evaluated, Excluded = excluded, Unranked = unranked, Failed = failed, Objective = objectiveMoments, Sharpe = sharpeMoments };
        var shards = new Dictionary<ShardKey, ShardTotals> { [shard.Key] = totals };
        var sample = new List<PboEntry>(pbo.Count);
        while (pbo.TryDequeue(out var entry, out _))
        {
            sample.Add(entry);
        }

        return new SweepResult(sweep.Hash, bars.ContentHash, definition.Top, definition.PboTrials, shards, top, sample, failures);
    }

    /// <summary>
    /// Measures <see cref="ShardSizing.NanosecondsPerBar"/> on this machine by backtesting a few combinations.
    /// </summary>
    /// <param name="sweep">The sweep.</param>
    /// <param name="bars">The bars.</param>
    /// <param name="cache">Indicator cache for the bars.</param>
    /// <param name="combinations">Combinations to time.</param>
    /// <returns>Nanoseconds per combination and bar.</returns>
    public static double Calibrate(PreparedSweep sweep, BarSeries bars, IndicatorColumnCache cache, int combinations = 8)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(bars);
        var count = (int)Math.Min(combinations, sweep.Positions);
        var shard = new SweepShard(0, 0, count, count);
        RunShard(sweep, bars, shard, cache);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RunShard(sweep, bars, shard, cache);
        var traded = sweep.Definition.Range?.Length ?? bars.Count;
        return Math.Max(1, clock.Elapsed.TotalNanoseconds / Math.Max(1, count) / Math.Max(1, traded));
    }

    /// <summary>The combination as text, e.g. <c>fast=10, slow=30</c>.</summary>
    /// <param name="space">The space.</param>
    /// <param name="values">The combination.</param>
    /// <returns>The text.</returns>
    public static string Describe(ParameterSpace space, ReadOnlySpan<double> values)
    {
        ArgumentNullException.ThrowIfNull(space);
        var text = new StringBuilder();
        for (var i = 0; i < space.Names.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(space.Names[i]).Append('=').Append(values[i].ToString("R", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private static void Report(ref long sinceReport, IProgress<long>? progress)
    {
        if (++sinceReport >= 16 && progress is not null)
        {
            progress.Report(sinceReport);
            sinceReport = 0;
        }
    }

    private static void Offer(List<TrialResult> top, int limit, TrialResult trial)
    {
        if (top.Count == limit && TrialResult.Rank(trial, top[^1]) >= 0)
        {
            return;
        }

        var at = top.BinarySearch(trial, Comparer<TrialResult>.Create(TrialResult.Rank));
        top.Insert(at < 0 ? ~at : at, trial);
        if (top.Count > limit)
        {
            top.RemoveAt(top.Count - 1);
        }
    }

    private static long[] Sample(ParameterSpace space, int samples, ulong seed)
    {
        // Uniform over allowed grid points without replacement. Small grids are listed and partially shuffled;
        // large ones are sampled by rejection (duplicates and disallowed points redrawn) with a bounded number of draws.
        var random = new Xoshiro256StarStar(seed);
        if (space.Size <= Math.Max(4L * samples, 65_536))
        {
            var allowed = new List<long>();
            for (long i = 0; i < space.Size; i++)
            {
                if (space.Allows(i))
                {
                    allowed.Add(i);
                }
            }

            var take = Math.Min(samples, allowed.Count);
            for (var i = 0; i < take; i++)
            {
                var j = i + (int)random.NextBelow((ulong)(allowed.Count - i));
                (allowed[i], allowed[j]) = (allowed[j], allowed[i]);
            }

            return [.. allowed.Take(take).Order()];
        }

        var chosen = new HashSet<long>();
        var draws = 0L;
        var maxDraws = (100L * samples) + 10_000;
        while (chosen.Count < samples && draws++ < maxDraws)
        {
            var index = (long)random.NextBelow((ulong)space.Size);
            if (!chosen.Contains(index) && space.Allows(index))
            {
                chosen.Add(index);
            }
        }

        if (chosen.Count == 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"no combination meets the constraints in {maxDraws} random draws from {space.Size} grid points; check the constraints ({string.Join("; ", space.Constraints)})."), nameof(space));
        }

        return [.. chosen.Order()];
    }

    private static string Identity(SweepDefinition d, long[]? candidates)
    {
        var o = d.Options;
        var text = new StringBuilder();
        var doc = d.Strategy;
        text.Append(doc.Name).Append('\n').Append(doc.SourceDocument).Append('\n');
        foreach (var p in doc.Parameters)
        {
            text.Append(CultureInfo.InvariantCulture, $"param {p.Name} {p.Default:R} {p.Minimum:R} {p.Maximum:R} {p.Step:R}\n");
        }

        foreach (var side in new[] { doc.Long, doc.Short })
        {
            text.Append(side is null ? "-" : $"{side.Entry.Text}|{side.Exit?.Text}|{side.Order}|{side.StopLoss}|{side.TakeProfit}|{side.TrailingStop}").Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"{doc.Sizing}|{doc.Pyramiding}|{doc.CooldownBars}|{doc.Session}\n");
        foreach (var axis in d.Axes)
        {
            text.Append(axis).Append('\n');
        }

        text.Append(CultureInfo.InvariantCulture, $"constraints={string.Join(";", d.Constraints)}\nmethod={d.Method};samples={d.Samples};seed={d.Seed};halving={d.HalvingRate}/{d.Rungs}\n");
        text.Append(CultureInfo.InvariantCulture, $"objective={d.Objective.Expression};minTrades={d.MinTrades};require={string.Join(";", d.Requirements)};top={d.Top};pbo={d.PboBlocks}/{d.PboTrials}\n");
        text.Append(CultureInfo.InvariantCulture, $"cash={o.InitialCash};fill={o.Fill};commission={o.Commission};slippage={o.Slippage};participation={o.MaxVolumeParticipation};shortMargin={o.ShortMarginRate};closeAtEnd={o.CloseAtEnd};riskFree={o.RiskFreeRate}\n");
        text.Append(CultureInfo.InvariantCulture, $"range={d.Range};engine={BacktestEngine.Version}\n");
        if (candidates is not null)
        {
            text.Append("candidates=").AppendJoin(',', candidates).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}

/// <summary>Small deterministic hashing helpers.</summary>
internal static class Hashing
{
    public static ulong Seed(string hex) => Convert.ToUInt64(hex[..16], 16);

    /// <summary>SplitMix64's finaliser: a bijective mix of 64 bits.</summary>
    public static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
