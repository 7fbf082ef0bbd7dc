using SigmaFlow.Core;
using SigmaFlow.Core.Strategies;
using YamlDotNet.RepresentationModel;
using static System.FormattableString;

namespace SigmaFlow.Platform.Strategies;

/// <summary>What reading one side produced.</summary>
/// <param name="Side">The side, or null when absent or unreadable.</param>
/// <param name="IsMapping">Whether the side is present as a mapping (so its keys could be checked).</param>
/// <param name="HasStopLoss">Whether the side has a <c>stop_loss</c> key.</param>
internal readonly record struct SideResult(StrategySide? Side, bool IsMapping, bool HasStopLoss);

/// <summary>Maps a <c>long</c> or <c>short</c> section: rules, entry order and protective exits.</summary>
internal static class StrategySideMapper
{
    private static readonly string[] SideKeys = ["entry", "exit", "order", "stop_loss", "take_profit", "trailing_stop"];
    private static readonly string[] OrderKeys = ["type", "price", "valid_bars"];
    private static readonly string[] PendingOrderKeys = ["price", "valid_bars"];
    private static readonly string[] OrderTypes = ["market", "limit", "stop"];
    private static readonly string[] ProtectiveModeKeys = ["percent", "atr", "absolute"];
    private static readonly string[] ProtectiveKeys = [.. ProtectiveModeKeys, "atr_periods"];

    /// <summary>Reads one side.</summary>
    /// <param name="root">The top-level section.</param>
    /// <param name="key">"long" or "short".</param>
    /// <returns>The side and what is known about its keys.</returns>
    public static SideResult Read(StrategySection root, string key)
    {
        var section = root.Section(key, SideKeys);
        if (section is null)
        {
            return default;
        }

        var entry = section.Rule("entry", required: true);
        var exit = section.Rule("exit", required: false);
        var order = ReadOrder(section);
        var stopLoss = ReadProtective(section, "stop_loss");
        var takeProfit = ReadProtective(section, "take_profit");
        var trailingStop = ReadProtective(section, "trailing_stop");
        var side = entry is { } rule
            ? new StrategySide
            {
                Entry = rule,
                Exit = exit,
                Order = order ?? EntryOrderRule.Market,
                StopLoss = stopLoss,
                TakeProfit = takeProfit,
                TrailingStop = trailingStop,
            }
            : null;
        return new SideResult(side, IsMapping: true, HasStopLoss: section.Has("stop_loss"));
    }

    /// <summary>
    /// The one key of <paramref name="choices"/> the section has, reporting none or several (at the second one, in
    /// document order).
    /// </summary>
    /// <param name="section">The section.</param>
    /// <param name="choices">The mutually exclusive keys.</param>
    /// <returns>The first choice given, or null when none is.</returns>
    public static string? ExactlyOne(StrategySection section, IReadOnlyList<string> choices)
    {
        var list = string.Join(", ", choices);
        string? chosen = null;
        foreach (var (key, _) in section.Entries)
        {
            var name = key.Value ?? string.Empty;
            if (!choices.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            if (chosen is null)
            {
                chosen = name;
            }
            else
            {
                section.Diagnostics.Add(key.Start, Invariant($"{StrategySection.Describe(section.Path)} has both '{chosen}' and '{name}'; give exactly one of {list}"));
            }
        }

        if (chosen is null)
        {
            section.Diagnostics.Add(section.Start, Invariant($"{StrategySection.Describe(section.Path)} needs exactly one of {list}"));
        }

        return chosen;
    }

    private static EntryOrderRule? ReadOrder(StrategySection side)
    {
        var node = side.Value("order");
        if (node is null)
        {
            return null;
        }

        var path = StrategySection.Child(side.Path, "order");
        if (node is YamlScalarNode { Value: { } text } && !StrategySection.IsNull(node))
        {
            var type = OrderType(side, node, text, path);
            if (type is EntryOrderType.Limit or EntryOrderType.Stop)
            {
                side.Diagnostics.Add(node.Start, Invariant($"a {text} order needs a price: write {{ type: {text}, price: <rule> }} in '{path}'"));
                return null;
            }

            return type is null ? null : EntryOrderRule.Market;
        }

        if (node is not YamlMappingNode)
        {
            var at = StrategySection.IsNull(node) ? side.KeyMark("order") : node.Start;
            side.Diagnostics.Add(at, Invariant($"expected market or a mapping {{ type, price, valid_bars }} for 'order', found {StrategySection.DescribeNode(node)}"));
            return null;
        }

        var order = side.Section("order", OrderKeys)!;
        var typeText = order.Text("type", required: true);
        var orderType = typeText is null ? null : OrderType(order, order.Value("type")!, typeText, path);
        var price = order.Rule("price", required: false);
        var validBars = order.WholeNumber("valid_bars", minimum: 1);
        if (orderType is null)
        {
            return null;
        }

        if (orderType == EntryOrderType.Market)
        {
            foreach (var key in PendingOrderKeys)
            {
                if (order.Has(key))
                {
                    order.Diagnostics.Add(order.KeyMark(key), Invariant($"'{key}' applies only to limit and stop orders, not to the market order in '{path}'"));
                }
            }

            return EntryOrderRule.Market;
        }

        if (!order.Has("price"))
        {
            order.Diagnostics.Add(order.Start, Invariant($"a {typeText} order needs 'price' in '{path}'"));
            return null;
        }

        return price is null ? null : new EntryOrderRule(orderType.Value, price, validBars ?? 1);
    }

    private static EntryOrderType? OrderType(StrategySection section, YamlNode node, string text, string path)
    {
        if (string.Equals(text, "market", StringComparison.OrdinalIgnoreCase))
        {
            return EntryOrderType.Market;
        }

        if (string.Equals(text, "limit", StringComparison.OrdinalIgnoreCase))
        {
            return EntryOrderType.Limit;
        }

        if (string.Equals(text, "stop", StringComparison.OrdinalIgnoreCase))
        {
            return EntryOrderType.Stop;
        }

        var suggestion = Spelling.Suggest(text, OrderTypes, text.Length <= 3 ? 1 : 2);
        var hint = suggestion is null ? string.Empty : Invariant($"; did you mean '{suggestion}'?");
        section.Diagnostics.Add(node.Start, Invariant($"unknown order type '{text}' in '{path}'; expected one of market, limit, stop{hint}"));
        return null;
    }

    private static ProtectiveRule? ReadProtective(StrategySection side, string key)
    {
        var section = side.Section(key, ProtectiveKeys);
        if (section is null)
        {
            return null;
        }

        var modeKey = ExactlyOne(section, ProtectiveModeKeys);
        var atrPeriods = section.WholeNumber("atr_periods", minimum: 1);
        if (section.Has("atr_periods") && modeKey is not null and not "atr")
        {
            section.Diagnostics.Add(section.KeyMark("atr_periods"), Invariant($"'atr_periods' applies only with 'atr', not with '{modeKey}' in '{section.Path}'"));
        }

        if (modeKey is null || section.PositiveNumber(modeKey, required: true) is not { } value)
        {
            return null;
        }

        var mode = modeKey switch
        {
            "percent" => ProtectiveMode.Percent,
            "atr" => ProtectiveMode.Atr,
            _ => ProtectiveMode.Absolute,
        };
        return new ProtectiveRule(mode, value, atrPeriods ?? 14);
    }
}
