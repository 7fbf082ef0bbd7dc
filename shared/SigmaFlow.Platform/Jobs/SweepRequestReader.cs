using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Optimization;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Platform.Jobs;

/// <summary>Where a validated request's bars come from.</summary>
internal abstract record BarSource
{
    /// <summary>The source in words, for the job's <c>data</c> field and messages.</summary>
    public abstract string Describe();
}

/// <summary>A synthetic market.</summary>
internal sealed record SyntheticBarSource(SyntheticMarketOptions Options) : BarSource
{
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"synthetic market (seed {Options.Seed}, {Options.Bars} bars of {Timeframe.FromTimeSpan(Options.Interval)}, start price {Options.StartPrice:R})");
}

/// <summary>Stored final bars of one symbol and timeframe, bar starts in [<see cref="From"/>, <see cref="To"/>) (Unix ms).</summary>
internal sealed record StoredBarSource(string Symbol, Timeframe Timeframe, long From, long To) : BarSource
{
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"stored {Symbol}|{Timeframe} {DateTimeOffset.FromUnixTimeMilliseconds(From):yyyy-MM-ddTHH:mm:ssZ} … {DateTimeOffset.FromUnixTimeMilliseconds(To):yyyy-MM-ddTHH:mm:ssZ}");
}

/// <summary>A request that passed validation: the sweep, prepared, and where its bars come from.</summary>
/// <param name="Json">The request as stored (every shard reads this text again).</param>
/// <param name="Definition">The sweep definition.</param>
/// <param name="Sweep">The prepared sweep (identity hash, candidates).</param>
/// <param name="Source">The bars' source.</param>
/// <param name="ShardSeconds">Target duration of a shard.</param>
/// <param name="MinimumShards">Fewest shards.</param>
internal sealed record ValidRequest(string Json, SweepDefinition Definition, PreparedSweep Sweep, BarSource Source, double ShardSeconds, int MinimumShards)
{
    /// <summary>SHA-256 of <see cref="Json"/>: two starts with one idempotency key must carry the same request.</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Json)));
}

/// <summary>
/// Turns a <see cref="SweepJobRequest"/> into a prepared sweep and a bar source, collecting every problem with the field
/// it concerns, the rule and the value. Workers call it again on the stored text, so a job's shards all prepare the
/// same sweep (its identity hash is checked).
/// </summary>
internal static class SweepRequestReader
{
    private static readonly JsonSerializerOptions Json = CreateOptions();

    /// <summary>The request as JSON text (what the job stores).</summary>
    public static string Serialize(SweepJobRequest request) => JsonSerializer.Serialize(request, Json);

    /// <summary>Reads a request stored by <see cref="Serialize"/>.</summary>
    public static SweepJobRequest Deserialize(string json) =>
        JsonSerializer.Deserialize<SweepJobRequest>(json, Json) ?? throw new FormatException("the stored request is null.");

    /// <summary>Validates and prepares a request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="options">Limits.</param>
    /// <param name="problems">Receives every problem.</param>
    /// <returns>The valid request, or null when there are problems.</returns>
    public static ValidRequest? Read(SweepJobRequest? request, SweepJobOptions options, List<JobProblem> problems)
    {
        if (request is null)
        {
            problems.Add(new JobProblem("request", "is required: a JSON object with strategy, parameters and data; got nothing."));
            return null;
        }

        var document = ReadStrategy(request.Strategy, problems);
        var source = ReadData(request.Data, options, problems);
        var method = (request.Method ?? "grid").Trim().ToLowerInvariant() switch
        {
            "grid" => SearchMethod.Grid,
            "random" => SearchMethod.Random,
            "adaptive" => Problem<SearchMethod?>(problems, "method", $"must be grid or random; got '{request.Method}' (successive halving runs rung after rung, which the queue fan-out does not do yet: use sigmaflow sweep --method adaptive)."),
            _ => Problem<SearchMethod?>(problems, "method", $"must be grid or random; got '{request.Method}'."),
        };
        if (method == SearchMethod.Grid && (request.Samples is not null || request.Seed is not null))
        {
            problems.Add(new JobProblem(request.Samples is not null ? "samples" : "seed", "applies to method random only; a grid tries every combination."));
        }

        var shardSeconds = request.ShardSeconds ?? options.TargetShardDuration.TotalSeconds;
        if (!double.IsFinite(shardSeconds) || shardSeconds < 0.001 || shardSeconds > 3600)
        {
            problems.Add(new JobProblem("shardSeconds", string.Create(CultureInfo.InvariantCulture, $"must be between 0.001 and 3600 seconds; got {shardSeconds}.")));
        }

        var minimumShards = request.MinimumShards ?? 1;
        if (minimumShards < 1 || minimumShards > options.MaxShards)
        {
            problems.Add(new JobProblem("minimumShards", string.Create(CultureInfo.InvariantCulture, $"must be between 1 and {options.MaxShards}; got {minimumShards}.")));
        }

        if (document is null)
        {
            return null;
        }

        var axes = ReadAxes(document, request, problems);
        if (axes is null || method is null)
        {
            return null;
        }

        var backtest = request.Backtest ?? new Core.Backtesting.BacktestOptions();
        try
        {
            backtest.Validate();
        }
        catch (ArgumentException e)
        {
            problems.Add(new JobProblem("backtest." + Camel(e.ParamName ?? "options"), Clean(e.Message)));
        }

        var definition = new SweepDefinition
        {
            Strategy = document,
            Axes = axes,
            Constraints = request.Constraints ?? [],
            Method = method.Value,
            Samples = request.Samples ?? 100,
            Seed = request.Seed ?? 1,
            Objective = new SweepObjective(request.Objective ?? "sharpe"),
            MinTrades = request.MinTrades ?? 0,
            Requirements = request.Requirements ?? [],
            Top = request.Top ?? 20,
            Options = backtest,
            PboBlocks = request.PboBlocks ?? 10,
        };

        PreparedSweep? sweep = null;
        try
        {
            sweep = Sweep.Prepare(definition);
        }
        catch (ArgumentException e)
        {
            foreach (var line in Clean(e.Message).Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries))
            {
                problems.Add(new JobProblem(FieldOf(line, e.ParamName), line.Trim()));
            }
        }

        if (sweep is null || source is null || problems.Count > 0)
        {
            return null;
        }

        return new ValidRequest(Serialize(request), definition, sweep, source, shardSeconds, minimumShards);
    }

    private static StrategyDocument? ReadStrategy(string? text, List<JobProblem> problems)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            problems.Add(new JobProblem("strategy", "is required: the strategy document as YAML or JSON text; got nothing."));
            return null;
        }

        try
        {
            var document = StrategyDocumentReader.Read(text);
            StrategyCompiler.Compile(document);
            return document;
        }
        catch (StrategyException e)
        {
            foreach (var d in e.Diagnostics)
            {
                problems.Add(new JobProblem("strategy", d.ToString()));
            }

            return null;
        }
    }

    private static List<ParameterAxis>? ReadAxes(StrategyDocument document, SweepJobRequest request, List<JobProblem> problems)
    {
        var before = problems.Count;
        var axes = new List<ParameterAxis>();
        var names = document.Parameters.Select(p => p.Name).ToList();
        var specs = request.Parameters ?? [];
        for (var i = 0; i < specs.Count; i++)
        {
            var spec = specs[i];
            var field = string.Create(CultureInfo.InvariantCulture, $"parameters[{i}]");
            if (string.IsNullOrWhiteSpace(spec))
            {
                problems.Add(new JobProblem(field, "must be name=start:stop:step, name=a,b,c, name=value or a parameter name; got an empty string."));
                continue;
            }

            try
            {
                if (!spec.Contains('=', StringComparison.Ordinal))
                {
                    var parameter = document.Parameters.FirstOrDefault(p => p.Name == spec.Trim());
                    if (parameter is null)
                    {
                        problems.Add(new JobProblem(field, $"must name a parameter of the strategy ({string.Join(", ", names)}); got '{spec}'.{Core.Spelling.Hint(spec.Trim(), names)}"));
                        continue;
                    }

                    axes.Add(ParameterSpace.DefaultAxis(parameter));
                }
                else
                {
                    axes.Add(ParameterAxis.Parse(spec));
                }
            }
            catch (Exception e) when (e is FormatException or ArgumentException)
            {
                problems.Add(new JobProblem(field, Clean(e.Message)));
            }
        }

        foreach (var (name, value) in request.Fixed ?? new Dictionary<string, double>())
        {
            if (axes.Any(a => a.Name == name))
            {
                problems.Add(new JobProblem("fixed." + name, $"parameter '{name}' is both swept (parameters) and fixed; give one."));
            }
            else if (!double.IsFinite(value))
            {
                problems.Add(new JobProblem("fixed." + name, string.Create(CultureInfo.InvariantCulture, $"must be a finite number; got {value}.")));
            }
            else
            {
                axes.Add(new ParameterAxis(name, [value]));
            }
        }

        if (!axes.Any(a => a.Values.Count > 1))
        {
            var stepped = document.Parameters.Where(p => p.Step is not null && axes.All(a => a.Name != p.Name)).ToList();
            if (stepped.Count == 0 && problems.Count == before)
            {
                problems.Add(new JobProblem("parameters", "must sweep at least one parameter (name=start:stop:step, name=a,b,c, or a name whose document declares a step); got none."));
                return null;
            }

            foreach (var p in stepped)
            {
                axes.Add(ParameterSpace.DefaultAxis(p));
            }
        }

        return problems.Count == before ? axes : null;
    }

    private static BarSource? ReadData(SweepDataSource? data, SweepJobOptions options, List<JobProblem> problems)
    {
        if (data is null || (data.Synthetic is null) == (data.Stored is null))
        {
            problems.Add(new JobProblem("data", $"must give exactly one of 'synthetic' (seed, bars, interval) or 'stored' (symbol, timeframe, from, to); got {(data is null ? "nothing" : data.Synthetic is null ? "neither" : "both")}."));
            return null;
        }

        var before = problems.Count;
        if (data.Synthetic is { } synthetic)
        {
            var bars = synthetic.Bars ?? 2520;
            if (bars < options.MinBars || bars > options.MaxBars)
            {
                problems.Add(new JobProblem("data.synthetic.bars", string.Create(CultureInfo.InvariantCulture, $"must be between {options.MinBars} and {options.MaxBars}; got {bars}.")));
            }

            var interval = ReadTimeframe(synthetic.Interval ?? "1d", "data.synthetic.interval", problems);
            var start = synthetic.StartPrice ?? 100;
            if (!double.IsFinite(start) || start <= 0)
            {
                problems.Add(new JobProblem("data.synthetic.startPrice", string.Create(CultureInfo.InvariantCulture, $"must be a finite number greater than 0; got {start}.")));
            }

            if (problems.Count > before || interval is null)
            {
                return null;
            }

            var market = new SyntheticMarketOptions { Seed = synthetic.Seed ?? 42, Bars = bars, Interval = interval.Value.Duration, StartPrice = start };
            try
            {
                market.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                problems.Add(new JobProblem("data.synthetic." + Camel(e.ParamName ?? "options"), Clean(e.Message)));
                return null;
            }

            return new SyntheticBarSource(market);
        }

        var stored = data.Stored!;
        if (string.IsNullOrWhiteSpace(stored.Symbol) || stored.Symbol.Length > 64 || stored.Symbol.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problems.Add(new JobProblem("data.stored.symbol", $"must be a symbol of 1 to 64 characters without white space, e.g. BTCUSD; got '{stored.Symbol}'."));
        }

        var timeframe = ReadTimeframe(stored.Timeframe ?? "1m", "data.stored.timeframe", problems);
        if (stored.From is null || stored.To is null)
        {
            problems.Add(new JobProblem(stored.From is null ? "data.stored.from" : "data.stored.to", "is required: an ISO 8601 time, e.g. 2026-11-01T00:00:00Z; got nothing."));
        }
        else if (stored.From.Value >= stored.To.Value || stored.From.Value.ToUnixTimeMilliseconds() < 0)
        {
            problems.Add(new JobProblem("data.stored.to", $"must be after data.stored.from, and from at or after 1970; got from {stored.From.Value:O} and to {stored.To.Value:O}."));
        }
        else if (timeframe is { } tf && (stored.To.Value - stored.From.Value).TotalMilliseconds / tf.Milliseconds > options.MaxBars)
        {
            problems.Add(new JobProblem("data.stored.to", string.Create(CultureInfo.InvariantCulture, $"must lie within {options.MaxBars} bars of {tf} after data.stored.from; got {stored.From.Value:O} … {stored.To.Value:O}.")));
        }

        return problems.Count > before || timeframe is null
            ? null
            : new StoredBarSource(stored.Symbol!.Trim(), timeframe.Value, stored.From!.Value.ToUnixTimeMilliseconds(), stored.To!.Value.ToUnixTimeMilliseconds());
    }

    private static Timeframe? ReadTimeframe(string text, string field, List<JobProblem> problems)
    {
        try
        {
            var timeframe = Timeframe.Parse(text);
            if (timeframe.Milliseconds < 1000)
            {
                problems.Add(new JobProblem(field, $"must be at least one second, e.g. 1m, 1h or 1d; got '{text}'."));
                return null;
            }

            return timeframe;
        }
        catch (FormatException e)
        {
            problems.Add(new JobProblem(field, $"must be a bar length such as 1m, 1h or 1d; got '{text}': {e.Message}"));
            return null;
        }
    }

    private static T? Problem<T>(List<JobProblem> problems, string field, string message)
    {
        problems.Add(new JobProblem(field, message));
        return default;
    }

    /// <summary>The request field a problem of <see cref="Sweep.Prepare"/> concerns, from its wording.</summary>
    private static string FieldOf(string line, string? parameterName)
    {
        var text = line.TrimStart();
        return text switch
        {
            _ when text.StartsWith("constraint", StringComparison.Ordinal) || text.StartsWith("no combination meets", StringComparison.Ordinal) => "constraints",
            _ when text.StartsWith("objective", StringComparison.Ordinal) => "objective",
            _ when text.StartsWith("requirement", StringComparison.Ordinal) => "requirements",
            _ when text.StartsWith("parameter", StringComparison.Ordinal) || text.StartsWith("unknown parameter", StringComparison.Ordinal) || text.StartsWith("the grid", StringComparison.Ordinal) => "parameters",
            _ when text.StartsWith("Samples", StringComparison.Ordinal) || text.StartsWith("candidates", StringComparison.Ordinal) => "samples",
            _ when parameterName is { Length: > 0 } name && name != "definition" && name != "axes" => Camel(name),
            _ => "strategy",
        };
    }

    private static string Camel(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name[1..];

    private static string Clean(string message)
    {
        var text = message.Split(" (Parameter '", 2)[0];
        return text.Split(Environment.NewLine + "Actual value was", 2)[0].Trim();
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            NumberHandling = JsonNumberHandling.Strict,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
