using System.Globalization;
using SigmaFlow.Core.Indicators.Catalog;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Core.Strategies.Rules;

namespace SigmaFlow.Core.Optimization;

/// <summary>
/// An expression over named numbers, in the rule language's syntax: parameter constraints (<c>fast &lt; slow</c>,
/// <c>slow - fast &gt;= 5</c>) and custom objectives over report metrics (<c>cagr / abs(maxDrawdown)</c>,
/// <c>sharpe * sqrt(min(tradeCount, 100))</c>). Numbers, names, <c>+ - * /</c>, comparisons, <c>and or not</c>,
/// <c>true false</c> and the functions <c>abs min max sqrt log exp pow</c>. Booleans are 1/0; NaN propagates through
/// arithmetic and makes comparisons false; division by zero is NaN (as in the rule language), so a ratio over a zero
/// drawdown is "not calculable", not +∞.
/// </summary>
public sealed class ScalarExpression
{
    private static readonly string[] FunctionNames = ["abs", "min", "max", "sqrt", "log", "exp", "pow"];
    private readonly Func<ReadOnlySpan<double>, double> evaluate;

    private ScalarExpression(string text, Func<ReadOnlySpan<double>, double> evaluate, bool isBoolean)
    {
        Text = text;
        this.evaluate = evaluate;
        IsBoolean = isBoolean;
    }

    private delegate double Node(ReadOnlySpan<double> values);

    /// <summary>The expression as written.</summary>
    public string Text { get; }

    /// <summary>Whether the expression is a condition (its top is a comparison, <c>and</c>, <c>or</c> or <c>not</c>).</summary>
    public bool IsBoolean { get; }

    /// <summary>Parses an expression whose names are <paramref name="names"/> (case-sensitive).</summary>
    /// <param name="text">The expression.</param>
    /// <param name="names">The names it may use; <see cref="Evaluate"/> takes their values in this order.</param>
    /// <returns>The expression.</returns>
    /// <exception cref="FormatException">A syntax error, an unknown name or function, or a wrong argument count; the message names the column.</exception>
    public static ScalarExpression Parse(string text, IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(names);
        RuleSyntax syntax;
        try
        {
            syntax = RuleParser.Parse(SourceText.Of(text));
        }
        catch (StrategyException e)
        {
            throw new FormatException($"expression '{text}': {string.Join("; ", e.Diagnostics.Select(d => $"column {d.Column}: {d.Message}"))}", e);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            index[names[i]] = i;
        }

        var node = Build(syntax, text, index);
        return new ScalarExpression(text, values => node(values), syntax is BinarySyntax { Operator: "and" or "or" or "<" or "<=" or ">" or ">=" or "==" or "!=" } or UnarySyntax { Operator: "not" });
    }

    /// <summary>Evaluates the expression.</summary>
    /// <param name="values">The values of the names, in the order given to <see cref="Parse"/>.</param>
    /// <returns>The value (1/0 for conditions).</returns>
    public double Evaluate(ReadOnlySpan<double> values) => evaluate(values);

    /// <summary>Evaluates a condition: true when the value is a number other than 0 (NaN is false).</summary>
    /// <param name="values">The values of the names.</param>
    /// <returns>Whether it holds.</returns>
    public bool IsTrue(ReadOnlySpan<double> values)
    {
        var value = evaluate(values);
        return value != 0 && !double.IsNaN(value);
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static Node Build(RuleSyntax syntax, string text, Dictionary<string, int> index)
    {
        switch (syntax)
        {
            case NumberSyntax number:
                var constant = number.Value;
                return _ => constant;
            case NameSyntax { Name: "true" }:
                return _ => 1;
            case NameSyntax { Name: "false" }:
                return _ => 0;
            case NameSyntax name:
                if (!index.TryGetValue(name.Name, out var slot))
                {
                    var hint = Spelling.Hint(name.Name, index.Keys);
                    throw Error(text, name.Position, $"unknown name '{name.Name}'; the names are {string.Join(", ", index.Keys)}.{hint}");
                }

                return values => values[slot];
            case UnarySyntax { Operator: "-" } unary:
                var negated = Build(unary.Operand, text, index);
                return values => -negated(values);
            case UnarySyntax { Operator: "not" } unary:
                var operand = Build(unary.Operand, text, index);
                return values => Truth(operand(values)) ? 0 : 1;
            case BinarySyntax binary:
                return Binary(binary, Build(binary.Left, text, index), Build(binary.Right, text, index), text);
            case CallSyntax call:
                return Call(call, call.Arguments.Select(a => Build(a, text, index)).ToArray(), text);
            default:
                throw Error(text, syntax.Position, "only numbers, names, operators and the functions abs, min, max, sqrt, log, exp, pow are allowed here");
        }
    }

    private static Node Binary(BinarySyntax binary, Node left, Node right, string text) => binary.Operator switch
    {
        "+" => values => left(values) + right(values),
        "-" => values => left(values) - right(values),
        "*" => values => left(values) * right(values),
        "/" => values =>
        {
            var divisor = right(values);
            return divisor == 0 ? double.NaN : left(values) / divisor;
        },
        "<" => values => left(values) < right(values) ? 1 : 0,
        "<=" => values => left(values) <= right(values) ? 1 : 0,
        ">" => values => left(values) > right(values) ? 1 : 0,
        ">=" => values => left(values) >= right(values) ? 1 : 0,
        "==" => values => left(values) == right(values) ? 1 : 0,
        "!=" => values =>
        {
            var (a, b) = (left(values), right(values));
            return !double.IsNaN(a) && !double.IsNaN(b) && a != b ? 1 : 0;
        },
        "and" => values => Truth(left(values)) && Truth(right(values)) ? 1 : 0,
        "or" => values => Truth(left(values)) || Truth(right(values)) ? 1 : 0,
        _ => throw Error(text, binary.Position, $"operator '{binary.Operator}' is not supported here"),
    };

    private static Node Call(CallSyntax call, Node[] args, string text)
    {
        var name = call.Name.ToLowerInvariant();
        var expected = name switch
        {
            "abs" or "sqrt" or "log" or "exp" => 1,
            "min" or "max" or "pow" => 2,
            _ => throw Error(text, call.Position, $"unknown function '{call.Name}'; the functions are {string.Join(", ", FunctionNames)}.{Spelling.Hint(call.Name, FunctionNames)}"),
        };
        if (args.Length != expected)
        {
            throw Error(text, call.Position, $"{name} takes {expected} argument{(expected == 1 ? string.Empty : "s")}; got {args.Length}");
        }

        var a = args[0];
        var b = expected == 2 ? args[1] : a;
        return name switch
        {
            "abs" => values => Math.Abs(a(values)),
            "sqrt" => values => Math.Sqrt(a(values)),
            "log" => values => Math.Log(a(values)),
            "exp" => values => Math.Exp(a(values)),
            "min" => values => Math.Min(a(values), b(values)),
            "max" => values => Math.Max(a(values), b(values)),
            _ => values => Math.Pow(a(values), b(values)),
        };
    }

    private static bool Truth(double value) => value != 0 && !double.IsNaN(value);

    private static FormatException Error(string text, int position, string message) =>
        new(string.Create(CultureInfo.InvariantCulture, $"expression '{text}', column {position + 1}: {message}"));
}
