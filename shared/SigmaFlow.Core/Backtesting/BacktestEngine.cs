using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SigmaFlow.Core.Backtesting.Performance;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Backtesting;

/// <summary>One symbol in a backtest: its bars and the strategy trading it.</summary>
/// <param name="Symbol">Instrument.</param>
/// <param name="Bars">Its bars.</param>
/// <param name="Strategy">The compiled strategy.</param>
public sealed record BacktestLeg(string Symbol, BarSeries Bars, CompiledStrategy Strategy);

/// <summary>Hashes that identify a run: same hash, same inputs, same engine.</summary>
/// <param name="DataHash">SHA-256 over every leg's symbol and the SHA-256 of its bar columns.</param>
/// <param name="StrategyHash">SHA-256 of every leg's strategy document text and parameter values.</param>
/// <param name="OptionsHash">SHA-256 of the canonical options text.</param>
/// <param name="EngineVersion">Engine version.</param>
/// <param name="Hash">SHA-256 over the four above: the run's identity.</param>
/// <param name="Parameters">Parameter values in force, e.g. <c>fast=10, slow=30</c>.</param>
public sealed record RunManifest(string DataHash, string StrategyHash, string OptionsHash, string EngineVersion, string Hash, string Parameters);

/// <summary>Everything a backtest produced.</summary>
public sealed record BacktestResult
{
    /// <summary>Equity at the last bar.</summary>
    public required double FinalEquity { get; init; }

    /// <summary>Performance statistics.</summary>
    public required PerformanceMetrics Metrics { get; init; }

    /// <summary>Closed trades.</summary>
    public required IReadOnlyList<TradeRecord> Trades { get; init; }

    /// <summary>Every order with its final state, rejections included.</summary>
    public required IReadOnlyList<OrderRecord> Orders { get; init; }

    /// <summary>Every fill.</summary>
    public required IReadOnlyList<FillRecord> Fills { get; init; }

    /// <summary>Positions open at the end, marked to the last close.</summary>
    public required IReadOnlyList<OpenPosition> OpenPositions { get; init; }

    /// <summary>Times of the equity curve (every bar time of any symbol).</summary>
    public required long[] Time { get; init; }

    /// <summary>Equity at each time's close.</summary>
    public required double[] Equity { get; init; }

    /// <summary>Drawdown at each time: equity / running peak − 1.</summary>
    public required double[] Drawdown { get; init; }

    /// <summary>Identity of the run.</summary>
    public required RunManifest Manifest { get; init; }

    /// <summary>Options used.</summary>
    public required BacktestOptions Options { get; init; }

    /// <summary>Value of every fill (quantity × price), for turnover.</summary>
    public double TradedValue { get; init; }

    /// <summary>Bars with a position open at the close.</summary>
    public int BarsInMarket { get; init; }
}

/// <summary>
/// Runs strategies over history: rules are evaluated as columns, then the <see cref="TradingSession"/> steps through
/// the bars of every symbol in time order, exactly as it would live.
/// </summary>
public static class BacktestEngine
{
    /// <summary>Version written into every manifest; change it when results can change.</summary>
    public const string Version = "sigmaflow-engine/1";

    /// <summary>Backtests one strategy on one symbol.</summary>
    /// <param name="bars">The bars.</param>
    /// <param name="strategy">The strategy.</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <param name="cache">Indicator columns shared with other runs over the same bars.</param>
    /// <param name="range">
    /// The bars to trade (all when null). Rules are still evaluated over the whole series, so indicators in the range
    /// are warmed up by the bars before it exactly as they would be live; the session, the equity curve, the trades and
    /// the report cover the range only. Walk-forward windows and successive-halving budgets use this.
    /// </param>
    /// <returns>The result.</returns>
    public static BacktestResult Run(BarSeries bars, CompiledStrategy strategy, BacktestOptions? options = null, IndicatorColumnCache? cache = null, BarRange? range = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        var legs = new[] { new BacktestLeg(bars.Symbol ?? "SYMBOL", bars, strategy) };
        if (range is not { } r || (r.Start == 0 && r.Length == bars.Count))
        {
            return Run(legs, options, cache);
        }

        r.Validate(bars.Count);
        return RunCore(legs, options ?? new BacktestOptions(), cache, r);
    }

    /// <summary>Backtests several symbols sharing one account.</summary>
    /// <param name="legs">Symbols with their bars and strategies.</param>
    /// <param name="options">Settings (defaults when null).</param>
    /// <param name="cache">Indicator columns shared with other runs (only for single-symbol runs).</param>
    /// <returns>The result.</returns>
    public static BacktestResult Run(IReadOnlyList<BacktestLeg> legs, BacktestOptions? options = null, IndicatorColumnCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(legs);
        if (legs.Count == 0)
        {
            throw new ArgumentException("legs must contain at least one symbol; got none.", nameof(legs));
        }

        return RunCore(legs, options ?? new BacktestOptions(), cache, new BarRange(0, legs.Count == 1 ? legs[0].Bars.Count : 0));
    }

    private static BacktestResult RunCore(IReadOnlyList<BacktestLeg> legs, BacktestOptions options, IndicatorColumnCache? cache, BarRange range)
    {
        var session = new TradingSession(options, legs.Select(l => (l.Symbol, l.Strategy)).ToList());
        var columns = legs.Select(l => l.Strategy.Program.Evaluate(l.Bars, legs.Count == 1 ? cache : null)).ToArray();
        var time = legs.Count == 1 ? Slice(legs[0].Bars.Time, range) : Timeline(legs);
        var equity = GC.AllocateUninitializedArray<double>(time.Length);
        var benchmark = GC.AllocateUninitializedArray<double>(time.Length);
        var barsInMarket = 0;

        if (legs.Count == 1)
        {
            RunSingle(session, legs[0].Bars, columns[0], range, equity, ref barsInMarket);
            Array.Copy(legs[0].Bars.Close, range.Start, benchmark, 0, benchmark.Length);
        }
        else
        {
            RunMany(session, legs, columns, time, equity, benchmark, ref barsInMarket);
        }

        var open = session.Finish();
        if (options.CloseAtEnd && equity.Length > 0)
        {
            equity[^1] = session.Equity();
        }

        var report = PerformanceCalculator.Compute(new PerformanceInput
        {
            Time = time,
            Equity = equity,
            Benchmark = benchmark,
            Trades = session.Trades,
            InitialCash = (double)options.InitialCash,
            FeesPaid = (double)session.FeesPaid,
            TradedValue = (double)session.TradedValue,
            BarsInMarket = barsInMarket,
            RiskFreeRate = options.RiskFreeRate,
        });

        return new BacktestResult
        {
            FinalEquity = equity.Length > 0 ? equity[^1] : (double)options.InitialCash,
            Metrics = report.Metrics,
            Trades = session.Trades,
            Orders = session.Orders.OrderBy(o => o.Id).ToList(),
            Fills = session.Fills,
            OpenPositions = open,
            Time = time,
            Equity = equity,
            Drawdown = report.Drawdown,
            Manifest = Manifest(legs, options, range),
            Options = options,
            TradedValue = (double)session.TradedValue,
            BarsInMarket = barsInMarket,
        };
    }

    /// <summary>The <see cref="RunManifest.DataHash"/> a single-symbol run over these bars records.</summary>
    /// <param name="symbol">The leg's symbol.</param>
    /// <param name="bars">The bars.</param>
    /// <returns>The hash.</returns>
    public static string DataHash(string symbol, BarSeries bars)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(symbol + "\n" + bars.ContentHash + "\n")));
    }

    /// <summary>SHA-256 (hex) of the trade list in a fixed text form; regression tests freeze it.</summary>
    /// <param name="trades">Trades.</param>
    /// <returns>The hash.</returns>
    public static string TradeListHash(IReadOnlyList<TradeRecord> trades)
    {
        var text = new StringBuilder();
        foreach (var t in trades)
        {
            text.Append(CultureInfo.InvariantCulture, $"{t.Symbol}|{t.Side}|{t.EntryTime}|{t.EntryPrice}|{t.ExitTime}|{t.ExitPrice}|{t.Quantity}|{t.Pnl}|{t.ExitReason}\n");
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static T[] Slice<T>(T[] values, BarRange range) =>
        range.Start == 0 && range.Length == values.Length ? values : values.AsSpan(range.Start, range.Length).ToArray();

    private static void RunSingle(TradingSession session, BarSeries bars, double[][] columns, BarRange range, double[] equity, ref int barsInMarket)
    {
        Span<double> values = stackalloc double[Math.Max(columns.Length, 1)];
        var time = bars.Time;
        var open = bars.Open;
        var high = bars.High;
        var low = bars.Low;
        var close = bars.Close;
        var volume = bars.Volume;
        var end = range.Start + range.Length;
        for (var i = range.Start; i < end; i++)
        {
            for (var r = 0; r < columns.Length; r++)
            {
                values[r] = columns[r][i];
            }

            session.OnBar(0, new Ohlcv(time[i], open[i], high[i], low[i], close[i], volume[i]), values);
            equity[i - range.Start] = session.Equity();
            if (session.InMarket)
            {
                barsInMarket++;
            }
        }
    }

    private static void RunMany(TradingSession session, IReadOnlyList<BacktestLeg> legs, double[][][] columns, long[] time, double[] equity, double[] benchmark, ref int barsInMarket)
    {
        var cursor = new int[legs.Count];
        var width = columns.Max(c => c.Length);
        var values = new double[Math.Max(width, 1)];
        var lastBenchmark = double.NaN;
        for (var t = 0; t < time.Length; t++)
        {
            for (var l = 0; l < legs.Count; l++)
            {
                var bars = legs[l].Bars;
                var i = cursor[l];
                if (i >= bars.Count || bars.Time[i] != time[t])
                {
                    continue;
                }

                for (var r = 0; r < columns[l].Length; r++)
                {
                    values[r] = columns[l][r][i];
                }

                session.OnBar(l, bars[i], values.AsSpan(0, columns[l].Length));
                if (l == 0)
                {
                    lastBenchmark = bars.Close[i];
                }

                cursor[l] = i + 1;
            }

            equity[t] = session.Equity();
            benchmark[t] = lastBenchmark;
            if (session.InMarket)
            {
                barsInMarket++;
            }
        }
    }

    private static long[] Timeline(IReadOnlyList<BacktestLeg> legs)
    {
        if (legs.Count == 1)
        {
            return legs[0].Bars.Time;
        }

        var all = new SortedSet<long>();
        foreach (var leg in legs)
        {
            all.UnionWith(leg.Bars.Time);
        }

        return [.. all];
    }

    private static RunManifest Manifest(IReadOnlyList<BacktestLeg> legs, BacktestOptions options, BarRange range)
    {
        using var data = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var strategy = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var leg in legs)
        {
            data.AppendData(Encoding.UTF8.GetBytes(leg.Symbol + "\n" + leg.Bars.ContentHash + "\n"));

            strategy.AppendData(Encoding.UTF8.GetBytes(leg.Strategy.Document.SourceDocument + "\n" + leg.Strategy.DescribeParameters() + "\n"));
        }

        var optionsText = string.Create(CultureInfo.InvariantCulture, $"cash={options.InitialCash};fill={options.Fill};commission={options.Commission};slippage={options.Slippage};participation={options.MaxVolumeParticipation};shortMargin={options.ShortMarginRate};closeAtEnd={options.CloseAtEnd};riskFree={options.RiskFreeRate}");
        if (legs.Count == 1 && range.Length != legs[0].Bars.Count)
        {
            // A part of the series is a different run; whole-series runs keep the hash they always had.
            optionsText += string.Create(CultureInfo.InvariantCulture, $";range={range.Start}+{range.Length}");
        }

        var dataHash = Convert.ToHexStringLower(data.GetHashAndReset());
        var strategyHash = Convert.ToHexStringLower(strategy.GetHashAndReset());
        var optionsHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(optionsText)));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{dataHash}|{strategyHash}|{optionsHash}|{Version}")));
        return new RunManifest(dataHash, strategyHash, optionsHash, Version, hash, string.Join("; ", legs.Select(l => l.Strategy.DescribeParameters()).Distinct()));
    }
}
