using System.Globalization;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>
/// Resolves names in parsed rules (price fields, parameters, indicators, built-in functions), checks types, folds
/// constants and interns equal sub-expressions, reporting every problem with its document position.
/// </summary>
public sealed class RuleBinder
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<SourceText, RuleSyntax> ParseCache = new();

    /// <summary>Built-in functions of the rule language.</summary>
    public static IReadOnlyList<string> Functions { get; } = ["crossover", "crossunder", "highest", "lowest", "rising", "falling", "abs", "min", "max"];

    private const int MaxLookback = 100_000;
    private readonly IReadOnlyDictionary<string, double> parameters;
    private readonly Dictionary<string, RuleNode> interned = new(StringComparer.Ordinal);
    private readonly List<StrategyDiagnostic> diagnostics = [];
    private SourceText source;

    /// <summary>Creates a binder with parameter values; nodes are shared across every rule bound with it.</summary>
    /// <param name="parameters">Parameter values by name.</param>
    public RuleBinder(IReadOnlyDictionary<string, double> parameters) => this.parameters = parameters;

    /// <summary>Problems found so far, in the order found.</summary>
    public IReadOnlyList<StrategyDiagnostic> Diagnostics => diagnostics;

    /// <summary>
    /// Parses a rule, reusing the tree of an identical rule parsed before: a sweep compiles the same rules once per
    /// combination, and syntax trees are immutable. Rules that fail to parse are not kept.
    /// </summary>
    private static RuleSyntax Parsed(SourceText rule)
    {
        if (ParseCache.TryGetValue(rule, out var syntax))
        {
            return syntax;
        }

        syntax = RuleParser.Parse(rule);
        if (ParseCache.Count >= 4096)
        {
            ParseCache.Clear();
        }

        ParseCache.TryAdd(rule, syntax);
        return syntax;
    }

    /// <summary>Parses and binds a rule, recording problems instead of throwing.</summary>
    /// <param name="rule">The rule text with its position.</param>
    /// <param name="expected">Required type of the whole rule.</param>
    /// <param name="role">What the rule is for, for messages (e.g. <c>long.entry</c>).</param>
    /// <returns>The bound rule, or null when it has problems (see <see cref="Diagnostics"/>).</returns>
    public RuleNode? Bind(SourceText rule, RuleType expected, string role)
    {
        source = rule;
        RuleSyntax syntax;
        try
        {
            syntax = Parsed(rule);
        }
        catch (StrategyException ex)
        {
            diagnostics.AddRange(ex.Diagnostics);
            return null;
        }

        var before = diagnostics.Count;
        var node = BindNode(syntax);
        if (node is null || diagnostics.Count > before)
        {
            return null;
        }

        if (node.Type != expected)
        {
            Report(0, expected == RuleType.Boolean
                ? $"expected a true/false condition for {role}; found a number series (compare it, e.g. '{Excerpt()} > 0')"
                : $"expected a number for {role}; found a true/false condition");
            return null;
        }

        return node;
    }

    private RuleNode? BindNode(RuleSyntax syntax)
    {
        var constant = TryConstant(syntax);
        if (constant is not null && syntax is not NameSyntax { Name: "true" or "false" })
        {
            return Intern(new ConstantNode(constant.Value, RuleType.Number, Format(constant.Value)));
        }

        switch (syntax)
        {
            case NameSyntax name:
                return BindName(name);
            case CallSyntax call:
                return BindCall(call, field: null, fieldPosition: 0);
            case MemberSyntax member when member.Target is CallSyntax call:
                return BindCall(call, member.Field, member.FieldPosition);
            case MemberSyntax member when member.Target is NameSyntax name && IndicatorCatalog.TryGet(name.Name, out _):
                return BindCall(new CallSyntax(name.Position, name.Name, []), member.Field, member.FieldPosition);
            case MemberSyntax member:
                Report(member.FieldPosition, $"expected an indicator call before '.{member.Field}'; output fields belong to indicators such as 'macd(12,26,9).signal'");
                return null;
            case IndexSyntax index:
                return BindIndex(index);
            case UnarySyntax unary:
                return BindUnary(unary);
            case BinarySyntax binary:
                return BindBinary(binary);
            default:
                Report(syntax.Position, "unsupported expression");
                return null;
        }
    }

    private RuleNode? BindName(NameSyntax name)
    {
        switch (name.Name)
        {
            case "true":
                return Intern(new ConstantNode(1, RuleType.Boolean, "true"));
            case "false":
                return Intern(new ConstantNode(0, RuleType.Boolean, "false"));
        }

        if (PriceFields.TryParse(name.Name, out var field) && name.Name == field.Name())
        {
            return Intern(new PriceNode(field));
        }

        if (IndicatorCatalog.TryGet(name.Name, out _))
        {
            return BindCall(new CallSyntax(name.Position, name.Name, []), field: null, fieldPosition: 0);
        }

        var known = PriceFields.Names.Concat(parameters.Keys).Concat(["true", "false"]);
        Report(name.Position, $"unknown name '{name.Name}'; expected a price field ({string.Join(", ", PriceFields.Names)}), a parameter{ParameterList()} or a function call.{Spelling.Hint(name.Name, known)}");
        return null;
    }

    private RuleNode? BindCall(CallSyntax call, string? field, int fieldPosition)
    {
        var name = call.Name;
        if (Functions.Contains(name))
        {
            if (field is not null)
            {
                Report(fieldPosition, $"'{name}' has no output fields; found '.{field}'");
                return null;
            }

            return BindFunction(call);
        }

        if (!IndicatorCatalog.TryGet(name, out var definition))
        {
            var candidates = Functions.Concat(IndicatorCatalog.All.Select(d => d.Name));
            Report(call.Position, $"unknown function or indicator '{name}'.{Spelling.Hint(name, candidates)} Functions: {string.Join(", ", Functions)}; indicators: run 'sigmaflow indicators --list'.");
            return null;
        }

        var arguments = call.Arguments;
        RuleNode? sourceNode = null;
        var sourceField = PriceField.Close;
        var first = 0;
        if (arguments.Count > 0 && TryConstant(arguments[0]) is null)
        {
            if (!definition.UsesSource)
            {
                Report(arguments[0].Position, $"{definition.Name} reads whole bars and takes no source series; expected a number or a parameter as its first argument");
                return null;
            }

            var bound = BindNode(arguments[0]);
            if (bound is null)
            {
                return null;
            }

            if (bound.Type != RuleType.Number)
            {
                Report(arguments[0].Position, $"expected a number series as the source of {definition.Name}; found a true/false condition");
                return null;
            }

            if (bound is PriceNode price)
            {
                sourceField = price.Field;
            }
            else
            {
                sourceNode = bound;
            }

            first = 1;
        }

        var values = new List<double>();
        for (var i = first; i < arguments.Count; i++)
        {
            var value = TryConstant(arguments[i]);
            if (value is null)
            {
                if (!ReportsOwnProblem(arguments[i]))
                {
                    Report(arguments[i].Position, $"expected a number or a parameter for argument {i + 1} of {definition.Name}; found an expression that changes from bar to bar");
                }

                return null;
            }

            values.Add(value.Value);
        }

        IndicatorArguments bound2;
        try
        {
            bound2 = definition.Bind(values, sourceField);
        }
        catch (IndicatorSpecException ex)
        {
            Report(call.Position, ex.Message);
            return null;
        }

        var sourceKey = sourceNode?.Key ?? sourceField.Name();
        var key = $"{definition.Name}({(definition.UsesSource ? sourceKey + ";" : string.Empty)}{bound2})";
        var indicator = (IndicatorNode)Intern(new IndicatorNode(definition, bound2, sourceNode, key));

        var index = 0;
        if (field is not null)
        {
            index = -1;
            for (var i = 0; i < definition.Outputs.Count; i++)
            {
                if (string.Equals(definition.Outputs[i].Name, field, StringComparison.OrdinalIgnoreCase))
                {
                    index = i;
                }
            }

            if (index < 0)
            {
                var fields = definition.Outputs.Select(o => o.Name).ToList();
                Report(fieldPosition, $"{definition.Name} has no output '{field}'; its outputs are {string.Join(", ", fields)}.{Spelling.Hint(field, fields)}");
                return null;
            }
        }

        var output = definition.Outputs[index];
        if (output.LookAhead)
        {
            Report(fieldPosition > 0 ? fieldPosition : call.Position, $"{definition.Name}.{output.Name} looks ahead ({output.Description}) and cannot be used in a rule: it would use future data");
            return null;
        }

        return Intern(new FieldNode(indicator, index, $"{key}.{output.Name}"));
    }

    private RuleNode? BindFunction(CallSyntax call)
    {
        var name = call.Name;
        var args = call.Arguments;
        var arity = name is "abs" ? 1 : 2;
        if (args.Count != arity)
        {
            var shape = name switch
            {
                "abs" => "abs(x)",
                "min" or "max" => $"{name}(a, b)",
                "crossover" or "crossunder" => $"{name}(a, b)",
                _ => $"{name}(series, bars)",
            };
            Report(call.Position, $"{name} takes {arity} argument(s) ({shape}); found {args.Count}");
            return null;
        }

        switch (name)
        {
            case "highest" or "lowest" or "rising" or "falling":
            {
                var x = BindNumber(args[0], name);
                var length = Whole(args[1], $"the bar count of {name}", minimum: 1);
                if (x is null || length is null)
                {
                    return null;
                }

                return name is "highest" or "lowest"
                    ? Intern(new ExtremeNode(name == "highest", x, length.Value, $"{name}({x.Key};{length})"))
                    : Intern(new TrendNode(name == "rising", x, length.Value, $"{name}({x.Key};{length})"));
            }

            case "abs":
            {
                var x = BindNumber(args[0], name);
                return x is null ? null : Intern(new UnaryNode("abs", x, RuleType.Number, $"abs({x.Key})"));
            }

            default:
            {
                var a = BindNumber(args[0], name);
                var b = BindNumber(args[1], name);
                if (a is null || b is null)
                {
                    return null;
                }

                return name is "min" or "max"
                    ? Intern(new BinaryNode(name, a, b, RuleType.Number, $"{name}({a.Key};{b.Key})"))
                    : Intern(new CrossNode(name == "crossover", a, b, $"{name}({a.Key};{b.Key})"));
            }
        }
    }

    private RuleNode? BindIndex(IndexSyntax index)
    {
        var target = BindNode(index.Target);
        var bars = Whole(index.Offset, "a previous-value index", minimum: 0);
        if (target is null || bars is null)
        {
            return null;
        }

        return bars == 0 ? target : Intern(new PreviousNode(target, bars.Value, $"{target.Key}[{bars}]"));
    }

    private RuleNode? BindUnary(UnarySyntax unary)
    {
        var operand = BindNode(unary.Operand);
        if (operand is null)
        {
            return null;
        }

        if (unary.Operator == "not")
        {
            if (operand.Type != RuleType.Boolean)
            {
                Report(unary.Position, "expected a true/false condition after 'not'; found a number series");
                return null;
            }

            return Intern(new UnaryNode("not", operand, RuleType.Boolean, $"not({operand.Key})"));
        }

        if (operand.Type != RuleType.Number)
        {
            Report(unary.Position, "expected a number after '-'; found a true/false condition");
            return null;
        }

        return Intern(new UnaryNode("-", operand, RuleType.Number, $"-({operand.Key})"));
    }

    private RuleNode? BindBinary(BinarySyntax binary)
    {
        var left = BindNode(binary.Left);
        var right = BindNode(binary.Right);
        if (left is null || right is null)
        {
            return null;
        }

        var op = binary.Operator;
        RuleType result;
        if (op is "and" or "or")
        {
            if (left.Type != RuleType.Boolean || right.Type != RuleType.Boolean)
            {
                Report(binary.Position, $"expected true/false conditions on both sides of '{op}'; found a number series on the {(left.Type != RuleType.Boolean ? "left" : "right")}");
                return null;
            }

            result = RuleType.Boolean;
        }
        else if (op is "==" or "!=")
        {
            if (left.Type != right.Type)
            {
                Report(binary.Position, $"expected the same kind on both sides of '{op}'; found a {Describe(left.Type)} and a {Describe(right.Type)}");
                return null;
            }

            result = RuleType.Boolean;
        }
        else
        {
            if (left.Type != RuleType.Number || right.Type != RuleType.Number)
            {
                Report(binary.Position, $"expected numbers on both sides of '{op}'; found a true/false condition on the {(left.Type != RuleType.Number ? "left" : "right")}");
                return null;
            }

            result = op is "+" or "-" or "*" or "/" ? RuleType.Number : RuleType.Boolean;
        }

        return Intern(new BinaryNode(op, left, right, result, $"({left.Key} {op} {right.Key})"));
    }

    private RuleNode? BindNumber(RuleSyntax syntax, string function)
    {
        var node = BindNode(syntax);
        if (node is not null && node.Type != RuleType.Number)
        {
            Report(syntax.Position, $"expected a number series as an argument of {function}; found a true/false condition");
            return null;
        }

        return node;
    }

    private int? Whole(RuleSyntax syntax, string what, int minimum)
    {
        var value = TryConstant(syntax);
        if (value is null && ReportsOwnProblem(syntax))
        {
            return null;
        }

        if (value is null || value.Value != Math.Floor(value.Value) || value.Value < minimum || value.Value > MaxLookback)
        {
            var found = value is null ? "an expression that changes from bar to bar" : Format(value.Value);
            Report(syntax.Position, string.Create(CultureInfo.InvariantCulture, $"expected a whole number from {minimum} to {MaxLookback} (or a parameter) for {what}; found {found}"));
            return null;
        }

        return (int)value.Value;
    }

    /// <summary>
    /// Binds a syntax that had to be constant but is not, to learn whether it is wrong in itself (an unknown name, a
    /// typo): if so its own, more precise problem has been reported and the caller adds nothing.
    /// </summary>
    private bool ReportsOwnProblem(RuleSyntax syntax)
    {
        var before = diagnostics.Count;
        BindNode(syntax);
        return diagnostics.Count > before;
    }

    /// <summary>The value of an expression made only of numbers, parameters and arithmetic; null otherwise.</summary>
    private double? TryConstant(RuleSyntax syntax)
    {
        switch (syntax)
        {
            case NumberSyntax number:
                return number.Value;
            case NameSyntax name when parameters.TryGetValue(name.Name, out var value):
                return value;
            case UnarySyntax { Operator: "-" } unary:
                return -TryConstant(unary.Operand);
            case BinarySyntax { Operator: "+" or "-" or "*" or "/" } binary:
                var a = TryConstant(binary.Left);
                var b = TryConstant(binary.Right);
                if (a is null || b is null)
                {
                    return null;
                }

                var folded = BinaryNode.Apply(binary.Operator, a.Value, b.Value);
                return double.IsFinite(folded) ? folded : null;
            default:
                return null;
        }
    }

    private RuleNode Intern(RuleNode node)
    {
        if (interned.TryGetValue(node.Key, out var existing))
        {
            return existing;
        }

        interned[node.Key] = node;
        return node;
    }

    private void Report(int position, string message)
    {
        var (line, column) = RuleParser.Locate(source, position);
        diagnostics.Add(new StrategyDiagnostic(line, column, message));
    }

    private string ParameterList() => parameters.Count == 0 ? string.Empty : $" ({string.Join(", ", parameters.Keys)})";

    private string Excerpt() => source.Text.Length <= 40 ? source.Text : source.Text[..37] + "...";

    private static string Describe(RuleType type) => type == RuleType.Number ? "number series" : "true/false condition";

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
