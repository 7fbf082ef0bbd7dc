namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>A node of a parsed rule expression; <see cref="Position"/> is the character offset in the rule text.</summary>
/// <param name="Position">Offset of the node's first character.</param>
public abstract record RuleSyntax(int Position);

/// <summary>A number literal.</summary>
/// <param name="Position">Offset.</param>
/// <param name="Value">The value.</param>
public sealed record NumberSyntax(int Position, double Value) : RuleSyntax(Position);

/// <summary>A name: a price field, a parameter, <c>true</c> or <c>false</c>.</summary>
/// <param name="Position">Offset.</param>
/// <param name="Name">The name.</param>
public sealed record NameSyntax(int Position, string Name) : RuleSyntax(Position);

/// <summary>A call: an indicator or a built-in function.</summary>
/// <param name="Position">Offset of the name.</param>
/// <param name="Name">Function or indicator name.</param>
/// <param name="Arguments">Arguments in order.</param>
public sealed record CallSyntax(int Position, string Name, IReadOnlyList<RuleSyntax> Arguments) : RuleSyntax(Position);

/// <summary>A previous value: <c>x[n]</c>.</summary>
/// <param name="Position">Offset of the target.</param>
/// <param name="Target">The series.</param>
/// <param name="Offset">Bars back.</param>
public sealed record IndexSyntax(int Position, RuleSyntax Target, RuleSyntax Offset) : RuleSyntax(Position);

/// <summary>An output field of an indicator: <c>macd(12,26,9).signal</c>.</summary>
/// <param name="Position">Offset of the target.</param>
/// <param name="Target">The indicator call.</param>
/// <param name="Field">Field name.</param>
/// <param name="FieldPosition">Offset of the field name.</param>
public sealed record MemberSyntax(int Position, RuleSyntax Target, string Field, int FieldPosition) : RuleSyntax(Position);

/// <summary>A unary operator: <c>-</c> or <c>not</c>.</summary>
/// <param name="Position">Offset of the operator.</param>
/// <param name="Operator">The operator.</param>
/// <param name="Operand">The operand.</param>
public sealed record UnarySyntax(int Position, string Operator, RuleSyntax Operand) : RuleSyntax(Position);

/// <summary>A binary operator: arithmetic, comparison, <c>and</c>, <c>or</c>.</summary>
/// <param name="Position">Offset of the operator.</param>
/// <param name="Operator">The operator.</param>
/// <param name="Left">Left operand.</param>
/// <param name="Right">Right operand.</param>
public sealed record BinarySyntax(int Position, string Operator, RuleSyntax Left, RuleSyntax Right) : RuleSyntax(Position);
