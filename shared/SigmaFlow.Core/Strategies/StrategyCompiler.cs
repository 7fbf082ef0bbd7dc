using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Strategies;

/// <summary>Which rule a program root holds.</summary>
public enum StrategyRule
{
    /// <summary>Long entry condition.</summary>
    LongEntry,

    /// <summary>Long exit condition.</summary>
    LongExit,

    /// <summary>Long limit/stop entry price.</summary>
    LongPrice,

    /// <summary>Short entry condition.</summary>
    ShortEntry,

    /// <summary>Short exit condition.</summary>
    ShortExit,

    /// <summary>Short limit/stop entry price.</summary>
    ShortPrice,
}

/// <summary>
/// A strategy ready to run: the document, the parameter values in force and one rule program holding every rule
/// (entries, exits, order prices, ATRs for protective exits), evaluable in columns or bar by bar.
/// </summary>
public sealed class CompiledStrategy
{
    private readonly int[] slots;
    private readonly Dictionary<int, int> atrSlots;

    internal CompiledStrategy(StrategyDocument document, IReadOnlyList<KeyValuePair<string, double>> parameters, RuleProgram program, int[] slots, Dictionary<int, int> atrSlots)
    {
        Document = document;
        Parameters = parameters;
        Program = program;
        this.slots = slots;
        this.atrSlots = atrSlots;
    }

    /// <summary>The document.</summary>
    public StrategyDocument Document { get; }

    /// <summary>Parameter values in force, in document order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Parameters { get; }

    /// <summary>All rules as one program.</summary>
    public RuleProgram Program { get; }

    /// <summary>The program root of a rule, or −1 when the document has no such rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns>The root index.</returns>
    public int Slot(StrategyRule rule) => slots[(int)rule];

    /// <summary>The program root holding ATR(periods), for protective exits measured in ATRs; −1 if unused.</summary>
    /// <param name="periods">ATR length.</param>
    /// <returns>The root index.</returns>
    public int AtrSlot(int periods) => atrSlots.TryGetValue(periods, out var slot) ? slot : -1;

    /// <summary>The parameters as text, e.g. <c>fast=10, slow=30</c>.</summary>
    /// <returns>The text.</returns>
    public string DescribeParameters() => string.Join(", ", Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={p.Value:R}")));
}

/// <summary>Validates a strategy document and compiles its rules with given parameter values.</summary>
public static class StrategyCompiler
{
    private static readonly HashSet<string> Reserved = new(["and", "or", "not", "true", "false", .. PriceFields.Names, .. RuleBinder.Functions], StringComparer.OrdinalIgnoreCase);

    /// <summary>Compiles a document.</summary>
    /// <param name="document">The document.</param>
    /// <param name="overrides">Parameter values replacing the defaults (e.g. from <c>--set</c>), checked against the bounds.</param>
    /// <returns>The compiled strategy.</returns>
    /// <exception cref="StrategyException">Every problem found, with positions.</exception>
    public static CompiledStrategy Compile(StrategyDocument document, IReadOnlyDictionary<string, double>? overrides = null)
    {
        var diagnostics = new List<StrategyDiagnostic>();
        var values = ResolveParameters(document, overrides, diagnostics);
        if (document.Long is null && document.Short is null)
        {
            diagnostics.Add(new StrategyDiagnostic(1, 1, "expected a 'long' or a 'short' section; found neither"));
        }

        if (document.Sizing.Mode == SizingMode.RiskPercent && ((document.Long is not null && document.Long.StopLoss is null) || (document.Short is not null && document.Short.StopLoss is null)))
        {
            diagnostics.Add(new StrategyDiagnostic(1, 1, "sizing 'risk_percent' needs a stop_loss on every side, to know the risk per unit"));
        }

        var binder = new RuleBinder(values.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));
        var roots = new List<RuleNode>();
        var slots = new int[6];
        Array.Fill(slots, -1);

        void Add(StrategyRule rule, SourceText? text, RuleType type, string role)
        {
            if (text is null)
            {
                return;
            }

            var node = binder.Bind(text.Value, type, role);
            if (node is not null)
            {
                slots[(int)rule] = roots.Count;
                roots.Add(node);
            }
        }

        var atrPeriods = new SortedSet<int>();
        foreach (var (side, prefix, entry, exit, price) in new[]
        {
            (document.Long, "long", StrategyRule.LongEntry, StrategyRule.LongExit, StrategyRule.LongPrice),
            (document.Short, "short", StrategyRule.ShortEntry, StrategyRule.ShortExit, StrategyRule.ShortPrice),
        })
        {
            if (side is null)
            {
                continue;
            }

            Add(entry, side.Entry, RuleType.Boolean, $"{prefix}.entry");
            Add(exit, side.Exit, RuleType.Boolean, $"{prefix}.exit");
            if (side.Order.Type != EntryOrderType.Market)
            {
                if (side.Order.Price is null)
                {
                    diagnostics.Add(new StrategyDiagnostic(side.Entry.Line, side.Entry.Column, $"a {side.Order.Type.ToString().ToLowerInvariant()} entry order on the {prefix} side needs a price rule"));
                }

                Add(price, side.Order.Price, RuleType.Number, $"{prefix}.order.price");
            }

            foreach (var rule in new[] { side.StopLoss, side.TakeProfit, side.TrailingStop })
            {
                if (rule is { Mode: ProtectiveMode.Atr })
                {
                    atrPeriods.Add(rule.AtrPeriods);
                }
            }
        }

        var atrSlots = new Dictionary<int, int>();
        foreach (var periods in atrPeriods)
        {
            var node = binder.Bind(SourceText.Of(string.Create(CultureInfo.InvariantCulture, $"atr({periods}).atr")), RuleType.Number, "an ATR protective exit");
            if (node is not null)
            {
                atrSlots[periods] = roots.Count;
                roots.Add(node);
            }
        }

        diagnostics.AddRange(binder.Diagnostics);
        if (diagnostics.Count > 0)
        {
            throw new StrategyException(diagnostics.OrderBy(d => d.Line).ThenBy(d => d.Column).ToList());
        }

        return new CompiledStrategy(document, values, new RuleProgram(roots), slots, atrSlots);
    }

    private static List<KeyValuePair<string, double>> ResolveParameters(StrategyDocument document, IReadOnlyDictionary<string, double>? overrides, List<StrategyDiagnostic> diagnostics)
    {
        var values = new List<KeyValuePair<string, double>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in document.Parameters)
        {
            if (!names.Add(p.Name))
            {
                diagnostics.Add(new StrategyDiagnostic(p.Line, p.Column, $"parameter '{p.Name}' is defined twice"));
            }

            if (Reserved.Contains(p.Name) || IndicatorCatalog.TryGet(p.Name, out _))
            {
                diagnostics.Add(new StrategyDiagnostic(p.Line, p.Column, $"parameter name '{p.Name}' is taken by a price field, function, indicator or keyword; choose another name"));
            }

            if (!(p.Minimum <= p.Default && p.Default <= p.Maximum))
            {
                diagnostics.Add(new StrategyDiagnostic(p.Line, p.Column, string.Create(CultureInfo.InvariantCulture, $"parameter '{p.Name}': default must be between min and max; got min {p.Minimum}, default {p.Default}, max {p.Maximum}")));
            }

            var value = p.Default;
            if (overrides is not null && overrides.TryGetValue(p.Name, out var given))
            {
                if (!double.IsFinite(given) || given < p.Minimum || given > p.Maximum)
                {
                    diagnostics.Add(new StrategyDiagnostic(p.Line, p.Column, string.Create(CultureInfo.InvariantCulture, $"parameter '{p.Name}' must be between {p.Minimum} and {p.Maximum}; got {given}")));
                }

                value = given;
            }

            values.Add(new(p.Name, value));
        }

        if (overrides is not null)
        {
            foreach (var name in overrides.Keys.Where(n => !names.Contains(n)))
            {
                var known = names.Count == 0 ? "the strategy has no parameters" : $"its parameters are {string.Join(", ", names)}";
                diagnostics.Add(new StrategyDiagnostic(1, 1, $"unknown parameter '{name}'; {known}.{Spelling.Hint(name, names)}"));
            }
        }

        return values;
    }
}
