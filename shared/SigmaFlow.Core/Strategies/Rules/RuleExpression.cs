using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using SigmaFlow.Core.Data;

namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>
/// One rule-language expression compiled on its own, outside a strategy document: a screener's condition (true/false)
/// or its ranking (a number). It has no parameters; positions in its diagnostics are line and column within the text
/// (from 1, 1). Evaluation is the strategies' columnar evaluation, so an expression gives exactly the values the same
/// rule gives inside a strategy.
/// </summary>
public sealed class RuleExpression
{
    private const int MaxProbe = 60_000;
    private static readonly Dictionary<string, double> NoParameters = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, int> Probed = new(StringComparer.Ordinal);
    private readonly RuleProgram program;

    private RuleExpression(string text, RuleType type, RuleNode root)
    {
        Text = text;
        Type = type;
        Canonical = root.Key;
        Warmup = WarmupOf(root, []);
        program = new RuleProgram([root]);
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    /// <summary>Boolean (a condition, values 1/0) or number.</summary>
    public RuleType Type { get; }

    /// <summary>The canonical form (equal canonical forms compute equal series), e.g. <c>(rsi(close;14) &lt; 30)</c>.</summary>
    public string Canonical { get; }

    /// <summary>
    /// Leading bars that have no value yet: per indicator output the bars before its first value (an indicator of an
    /// expression adds its own to its source's), <c>x[n]</c> adds n, <c>highest</c>/<c>lowest</c> n − 1,
    /// <c>rising</c>/<c>falling</c> n and a cross one earlier bar; the largest path counts. An output's warm-up is
    /// measured once per indicator instance on a synthetic series (and is never less than the indicator catalog's
    /// warm-up), because the catalog states it for an indicator's first output only: <c>atr(14).atr</c> needs 14 bars
    /// where <c>atr(14).tr</c> needs 1, <c>macd(12,26,9).signal</c> 33 where <c>macd</c> needs 25. Outputs whose start
    /// depends on the data (the parabolic SAR before its first reversal) may start later on real bars.
    /// </summary>
    public int Warmup { get; }

    /// <summary>Fewest bars for a value on the last bar: <see cref="Warmup"/> + 1.</summary>
    public int RequiredBars => Warmup + 1;

    /// <summary>Compiles an expression.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="type">What it must be: <see cref="RuleType.Boolean"/> for a condition, <see cref="RuleType.Number"/> for a value.</param>
    /// <param name="role">What it is for, in messages (e.g. <c>condition</c>).</param>
    /// <returns>The compiled expression.</returns>
    /// <exception cref="StrategyException">Every problem, with line and column in <paramref name="text"/>.</exception>
    public static RuleExpression Compile(string text, RuleType type, string role = "the expression") =>
        TryCompile(text, type, out var expression, out var diagnostics, role) ? expression : throw new StrategyException(diagnostics);

    /// <summary>Compiles an expression, returning its problems instead of throwing.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="type">What it must be.</param>
    /// <param name="expression">The compiled expression, or null.</param>
    /// <param name="diagnostics">Every problem (line and column in <paramref name="text"/>); empty on success.</param>
    /// <param name="role">What it is for, in messages.</param>
    /// <returns>True when it compiled.</returns>
    public static bool TryCompile(string text, RuleType type, [NotNullWhen(true)] out RuleExpression? expression, out IReadOnlyList<StrategyDiagnostic> diagnostics, string role = "the expression")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentException.ThrowIfNullOrEmpty(role);
        var binder = new RuleBinder(NoParameters);
        var root = binder.Bind(SourceText.Of(text), type, role);
        if (root is null || binder.Diagnostics.Count > 0)
        {
            expression = null;
            diagnostics = binder.Diagnostics.Count > 0 ? [.. binder.Diagnostics] : [new StrategyDiagnostic(1, 1, $"{role} could not be compiled")];
            return false;
        }

        expression = new RuleExpression(text, type, root);
        diagnostics = [];
        return true;
    }

    /// <summary>The expression's value on every bar (booleans as 1/0; NaN where a number has no value yet).</summary>
    /// <param name="bars">The bars, oldest first.</param>
    /// <param name="cache">Indicator columns shared with other expressions evaluated over the same bars, if any.</param>
    /// <returns>One value per bar.</returns>
    public double[] Evaluate(BarSeries bars, IndicatorColumnCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        return program.Evaluate(bars, cache)[0];
    }

    /// <summary>The value on the last bar (NaN when there are no bars, or a number has no value there yet).</summary>
    /// <param name="bars">The bars, oldest first.</param>
    /// <param name="cache">Indicator columns shared with other expressions over the same bars, if any.</param>
    /// <returns>The value; for a condition 1 (true) or 0 (false).</returns>
    public double LastValue(BarSeries bars, IndicatorColumnCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Count == 0)
        {
            return double.NaN;
        }

        var column = Evaluate(bars, cache);
        return column[^1];
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static int WarmupOf(RuleNode node, Dictionary<RuleNode, int> known)
    {
        if (known.TryGetValue(node, out var cached))
        {
            return cached;
        }

        var inputs = 0;
        foreach (var child in node.Children)
        {
            inputs = Math.Max(inputs, WarmupOf(child, known));
        }

        var warmup = node switch
        {
            IndicatorNode indicator => inputs + OutputWarmup(indicator, 0),
            FieldNode field => (field.Indicator.Source is { } source ? WarmupOf(source, known) : 0) + OutputWarmup(field.Indicator, field.Field),
            PreviousNode previous => inputs + previous.Bars,
            ExtremeNode extreme => inputs + extreme.Length - 1,
            TrendNode trend => inputs + trend.Length,
            CrossNode => inputs + 1,
            _ => inputs,
        };
        known[node] = warmup;
        return warmup;
    }

    /// <summary>Bars before an indicator output's first value, measured on <see cref="ProbeBars"/> (cached per instance and output).</summary>
    private static int OutputWarmup(IndicatorNode indicator, int output)
    {
        var stated = Math.Max(0, indicator.Definition.Warmup(indicator.Arguments));
        if (Probed.Count >= 4096)
        {
            Probed.Clear();
        }

        return Probed.GetOrAdd(string.Create(CultureInfo.InvariantCulture, $"{indicator.Key}#{output}"), _ =>
        {
            // Warm-ups grow with the periods: four times their sum past the stated warm-up covers every catalog output.
            var periods = 0.0;
            foreach (var value in indicator.Arguments.Values)
            {
                periods += Math.Abs(value) >= 1 ? Math.Abs(value) : 0;
            }

            var length = (int)Math.Min(MaxProbe, stated + (4 * periods) + 64);
            double[] column;
            try
            {
                column = indicator.Definition.Calculate(ProbeBars(length), indicator.Arguments).Columns[output];
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or ArithmeticException)
            {
                // An indicator the synthetic series does not suit keeps the catalog's figure.
                return stated;
            }

            for (var i = 0; i < column.Length; i++)
            {
                if (double.IsFinite(column[i]))
                {
                    return Math.Max(i, stated);
                }
            }

            return stated;
        });
    }

    /// <summary>A synthetic market for measuring warm-ups: a trend with cycles and noise, no flat bars, varying volume.</summary>
    private static BarSeries ProbeBars(int count)
    {
        var builder = new BarSeriesBuilder(count);
        var state = 0x2545F4914F6CDD1DUL;
        double Noise()
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            return ((state >> 11) * (1.0 / (1UL << 53))) - 0.5;
        }

        var close = 100.0;
        for (var i = 0; i < count; i++)
        {
            var open = close;
            close = 100 + (10 * Math.Sin(i / 7.0)) + (0.01 * i) + Noise();
            var high = Math.Max(open, close) + 0.25 + Math.Abs(Noise());
            var low = Math.Min(open, close) - 0.25 - Math.Abs(Noise());
            builder.Add(new Ohlcv(1_600_000_000_000L + (i * 60_000L), open, high, low, close, 1000 + (500 * (Noise() + 0.5))));
        }

        return builder.Build("PROBE");
    }
}
