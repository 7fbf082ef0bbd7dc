using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>
/// A set of bound rules compiled into one graph of unique nodes in dependency order. <see cref="Evaluate"/> computes
/// every node as a whole column (backtests, sweeps); <see cref="CreateLive"/> steps the same nodes bar by bar (live
/// trading). Both use the same arithmetic and kernels, so they give identical values.
/// </summary>
public sealed class RuleProgram
{
    private readonly RuleNode[] order;
    private readonly int[] rootSlots;

    /// <summary>Creates the program.</summary>
    /// <param name="roots">The rules to evaluate; results come back in this order.</param>
    public RuleProgram(IReadOnlyList<RuleNode> roots)
    {
        Roots = roots;
        var slots = new Dictionary<RuleNode, int>();
        var ordered = new List<RuleNode>();
        foreach (var root in roots)
        {
            Visit(root, slots, ordered);
        }

        order = [.. ordered];
        rootSlots = roots.Select(r => slots[r]).ToArray();
    }

    /// <summary>The rules, in result order.</summary>
    public IReadOnlyList<RuleNode> Roots { get; }

    /// <summary>Distinct nodes in the graph (shared sub-expressions count once).</summary>
    public int NodeCount => order.Length;

    /// <summary>Computes every rule over the bars as whole columns.</summary>
    /// <param name="bars">The bars.</param>
    /// <param name="cache">Indicator columns shared with other evaluations over the same bars, if any.</param>
    /// <returns>One column per root (booleans as 1/0).</returns>
    public double[][] Evaluate(BarSeries bars, IndicatorColumnCache? cache = null)
    {
        var context = new ColumnContext(bars, cache);
        foreach (var node in order)
        {
            context.Set(node, node.EvaluateColumn(context));
        }

        return Roots.Select(r => context[r]).ToArray();
    }

    /// <summary>Creates the streaming form, with no bars yet.</summary>
    /// <returns>A live rule set.</returns>
    public LiveRuleSet CreateLive()
    {
        var steps = new NodeStep[order.Length];
        var index = new Dictionary<RuleNode, int>();
        for (var i = 0; i < order.Length; i++)
        {
            index[order[i]] = i;
        }

        for (var i = 0; i < order.Length; i++)
        {
            var children = order[i].Children.Select(c => steps[index[c]]).ToArray();
            steps[i] = order[i].CreateStep(children);
        }

        return new LiveRuleSet(steps, rootSlots);
    }

    private static void Visit(RuleNode node, Dictionary<RuleNode, int> slots, List<RuleNode> ordered)
    {
        if (slots.ContainsKey(node))
        {
            return;
        }

        foreach (var child in node.Children)
        {
            Visit(child, slots, ordered);
        }

        slots[node] = ordered.Count;
        ordered.Add(node);
    }
}

/// <summary>
/// Rules fed bar by bar. The last bar stays open to revision until a later bar arrives (as ticks update it); a bar
/// older than the last is rejected.
/// </summary>
public sealed class LiveRuleSet
{
    private readonly NodeStep[] steps;
    private readonly int[] rootSlots;

    internal LiveRuleSet(NodeStep[] steps, int[] rootSlots)
    {
        this.steps = steps;
        this.rootSlots = rootSlots;
        LastTime = long.MinValue;
    }

    /// <summary>Bars seen, the forming one included.</summary>
    public int Count { get; private set; }

    /// <summary>Time of the last bar.</summary>
    public long LastTime { get; private set; }

    /// <summary>The value of a rule on the last bar (booleans as 1/0; NaN = not available).</summary>
    /// <param name="root">Rule index, in the order given to <see cref="RuleProgram"/>.</param>
    /// <returns>The value.</returns>
    public double Value(int root) => steps[rootSlots[root]].Value;

    /// <summary>Adds a later bar, revises the forming one (same time) or rejects an older one.</summary>
    /// <param name="bar">The bar.</param>
    /// <returns>What was done.</returns>
    public StreamUpdate Update(in Ohlcv bar)
    {
        StreamUpdate result;
        if (Count == 0 || bar.Time > LastTime)
        {
            if (Count > 0)
            {
                foreach (var step in steps)
                {
                    step.Commit();
                }
            }

            Count++;
            result = StreamUpdate.Added;
        }
        else if (bar.Time == LastTime)
        {
            result = StreamUpdate.Revised;
        }
        else
        {
            return StreamUpdate.RejectedLate;
        }

        foreach (var step in steps)
        {
            step.Peek(bar);
        }

        LastTime = bar.Time;
        return result;
    }
}
