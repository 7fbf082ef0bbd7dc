using SigmaFlow.Core;
using System.Globalization;
using SigmaFlow.Core.Strategies;
using YamlDotNet.RepresentationModel;
using static System.FormattableString;

namespace SigmaFlow.Platform.Strategies;

/// <summary>Maps the top level of a strategy document: name, parameters, sides, sizing, pyramiding, cooldown and session.</summary>
internal static class StrategyDocumentMapper
{
    /// <summary>Keys allowed at the top level.</summary>
    public static readonly string[] TopLevelKeys = ["name", "parameters", "long", "short", "sizing", "pyramiding", "cooldown_bars", "session"];

    private static readonly string[] ParameterKeys = ["default", "min", "max", "step"];
    private static readonly string[] SizingModeKeys = ["quantity", "percent_equity", "cash", "risk_percent"];
    private static readonly string[] SizingKeys = [.. SizingModeKeys, "fractional"];
    private static readonly string[] SessionKeys = ["days", "start", "end"];
    private static readonly string[] DayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    private static readonly string[] TimeFormats = ["HH:mm", "H:mm"];

    private static readonly Dictionary<string, DayOfWeek> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mon"] = DayOfWeek.Monday,
        ["monday"] = DayOfWeek.Monday,
        ["tue"] = DayOfWeek.Tuesday,
        ["tuesday"] = DayOfWeek.Tuesday,
        ["wed"] = DayOfWeek.Wednesday,
        ["wednesday"] = DayOfWeek.Wednesday,
        ["thu"] = DayOfWeek.Thursday,
        ["thursday"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday,
        ["friday"] = DayOfWeek.Friday,
        ["sat"] = DayOfWeek.Saturday,
        ["saturday"] = DayOfWeek.Saturday,
        ["sun"] = DayOfWeek.Sunday,
        ["sunday"] = DayOfWeek.Sunday,
    };

    /// <summary>Maps the top-level section; problems go to the section's diagnostics.</summary>
    /// <param name="root">The top-level mapping.</param>
    /// <returns>The document without its source text, or null when a required part could not be read.</returns>
    public static StrategyDocument? Map(StrategySection root)
    {
        var name = root.Text("name", required: true);
        var parameters = ReadParameters(root);
        var longSide = StrategySideMapper.Read(root, "long");
        var shortSide = StrategySideMapper.Read(root, "short");
        if (!root.Has("long") && !root.Has("short"))
        {
            root.Diagnostics.Add(root.Start, "the strategy needs a 'long' or a 'short' section (or both)");
        }

        var sizing = ReadSizing(root, longSide, shortSide);
        var pyramiding = root.WholeNumber("pyramiding", minimum: 1);
        var cooldownBars = root.WholeNumber("cooldown_bars", minimum: 0);
        var session = ReadSession(root);

        if (name is null || (longSide.Side is null && shortSide.Side is null))
        {
            return null;
        }

        return new StrategyDocument
        {
            Name = name,
            Parameters = parameters,
            Long = longSide.Side,
            Short = shortSide.Side,
            Sizing = sizing ?? new SizingRule(SizingMode.Quantity, 1),
            Pyramiding = pyramiding ?? 1,
            CooldownBars = cooldownBars ?? 0,
            Session = session,
        };
    }

    private static List<StrategyParameter> ReadParameters(StrategySection root)
    {
        var parameters = new List<StrategyParameter>();
        var section = root.Section("parameters", allowedKeys: null);
        if (section is null)
        {
            return parameters;
        }

        foreach (var (key, value) in section.Entries)
        {
            var name = key.Value ?? string.Empty;
            var isIdentifier = IsIdentifier(name);
            if (!isIdentifier)
            {
                root.Diagnostics.Add(key.Start, Invariant($"parameter name '{name}' is not an identifier; use letters, digits and '_', not starting with a digit"));
            }

            if (value is not YamlMappingNode mapping)
            {
                var at = StrategySection.IsNull(value) ? key.Start : value.Start;
                root.Diagnostics.Add(at, Invariant($"expected a mapping {{ default, min, max }} for parameter '{name}', found {StrategySection.DescribeNode(value)}"));
                continue;
            }

            var parameter = StrategySection.Create(mapping, StrategySection.Child(section.Path, name), key.Start, ParameterKeys, root.Diagnostics, root.Source);
            var defaultValue = parameter.Number("default", required: true);
            var minimum = parameter.Number("min", required: true);
            var maximum = parameter.Number("max", required: true);
            var step = parameter.PositiveNumber("step", required: false);
            if (defaultValue is not { } d || minimum is not { } min || maximum is not { } max)
            {
                continue;
            }

            if (min > max)
            {
                root.Diagnostics.Add(parameter.Value("min")!.Start, Invariant($"parameter '{name}': min {min} is greater than max {max}; rule: min <= default <= max"));
            }
            else if (d < min || d > max)
            {
                root.Diagnostics.Add(parameter.Value("default")!.Start, Invariant($"parameter '{name}': default {d} is outside min {min} and max {max}; rule: min <= default <= max"));
            }
            else if (isIdentifier)
            {
                parameters.Add(new StrategyParameter(name, d, min, max, ToInt(key.Start.Line), ToInt(key.Start.Column)) { Step = step });
            }
        }

        return parameters;
    }

    private static SizingRule? ReadSizing(StrategySection root, SideResult longSide, SideResult shortSide)
    {
        var section = root.Section("sizing", SizingKeys);
        if (section is null)
        {
            return null;
        }

        var modeKey = StrategySideMapper.ExactlyOne(section, SizingModeKeys);
        var fractional = section.Flag("fractional") ?? false;
        if (modeKey is null)
        {
            return null;
        }

        var mode = modeKey switch
        {
            "quantity" => SizingMode.Quantity,
            "percent_equity" => SizingMode.PercentEquity,
            "cash" => SizingMode.Cash,
            _ => SizingMode.RiskPercent,
        };

        if (mode == SizingMode.RiskPercent)
        {
            RequireStopLoss(section, longSide, "long");
            RequireStopLoss(section, shortSide, "short");
        }

        return section.PositiveNumber(modeKey, required: true) is { } value ? new SizingRule(mode, value, fractional) : null;
    }

    private static void RequireStopLoss(StrategySection sizing, SideResult side, string sideName)
    {
        if (side.IsMapping && !side.HasStopLoss)
        {
            sizing.Diagnostics.Add(sizing.KeyMark("risk_percent"), Invariant($"sizing 'risk_percent' needs a 'stop_loss' on the {sideName} side"));
        }
    }

    private static SessionFilter? ReadSession(StrategySection root)
    {
        var section = root.Section("session", SessionKeys);
        if (section is null)
        {
            return null;
        }

        var days = ReadDays(section);
        var start = ReadTime(section, "start");
        var end = ReadTime(section, "end");
        if (start is { } from && end is { } to && from >= to)
        {
            section.Diagnostics.Add(section.Value("end")!.Start, Invariant($"session 'start' ({from.ToString("HH:mm", CultureInfo.InvariantCulture)}) must be before 'end' ({to.ToString("HH:mm", CultureInfo.InvariantCulture)})"));
        }

        return new SessionFilter(days, start, end);
    }

    private static List<DayOfWeek> ReadDays(StrategySection section)
    {
        var days = new List<DayOfWeek>();
        var node = section.Value("days");
        if (node is null)
        {
            return days;
        }

        if (node is not YamlSequenceNode sequence)
        {
            var at = StrategySection.IsNull(node) ? section.KeyMark("days") : node.Start;
            section.Diagnostics.Add(at, Invariant($"expected a list of days for 'days', found {StrategySection.DescribeNode(node)}"));
            return days;
        }

        foreach (var item in sequence.Children)
        {
            if (item is YamlScalarNode { Value: { } text } && !StrategySection.IsNull(item) && Days.TryGetValue(text, out var day))
            {
                if (days.Contains(day))
                {
                    section.Diagnostics.Add(item.Start, Invariant($"day '{text}' is listed more than once in 'session.days'"));
                }
                else
                {
                    days.Add(day);
                }

                continue;
            }

            var found = StrategySection.DescribeNode(item);
            var suggestion = item is YamlScalarNode { Value: { } word } ? Spelling.Suggest(word, DayNames, word.Length <= 3 ? 1 : 2) : null;
            var hint = suggestion is null ? string.Empty : Invariant($"; did you mean '{suggestion}'?");
            section.Diagnostics.Add(item.Start, Invariant($"expected a day in 'session.days' (mon, tue, wed, thu, fri, sat, sun or full names), found {found}{hint}"));
        }

        return days;
    }

    private static TimeOnly? ReadTime(StrategySection section, string key)
    {
        var text = section.Text(key, required: false);
        if (text is null)
        {
            return null;
        }

        if (key == "end" && text == "24:00")
        {
            // 24:00 is the end of the day, which the filter writes as "no end".
            return null;
        }

        if (TimeOnly.TryParseExact(text, TimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }

        section.Diagnostics.Add(section.Value(key)!.Start, Invariant($"expected a time of day HH:mm (UTC) for '{key}', found '{text}'"));
        return null;
    }

    private static bool IsIdentifier(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static int ToInt(long value) => value > int.MaxValue ? int.MaxValue : (int)value;
}
