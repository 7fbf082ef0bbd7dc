using System.Globalization;

namespace SigmaFlow.Core.Strategies.Rules;

/// <summary>
/// Parses rule expressions. Grammar, loosest first: <c>or</c>; <c>and</c>; <c>not</c>; comparison
/// (<c>&lt; &lt;= &gt; &gt;= == !=</c>, not chained); <c>+ -</c>; <c>* /</c>; unary minus; postfix <c>x[n]</c> and
/// <c>.field</c>; primary: number, name, call <c>name(args)</c>, parentheses. Errors carry the document line and
/// column, what was expected and what was found.
/// </summary>
public static class RuleParser
{
    /// <summary>Parses one rule.</summary>
    /// <param name="source">The rule text and its position in the document.</param>
    /// <returns>The syntax tree.</returns>
    /// <exception cref="StrategyException">The text is not a valid expression.</exception>
    public static RuleSyntax Parse(SourceText source)
    {
        var parser = new Parser(source);
        return parser.ParseRule();
    }

    /// <summary>Maps an offset in a rule to its document line and column.</summary>
    /// <param name="source">The rule.</param>
    /// <param name="offset">Offset in the rule text.</param>
    /// <returns>Line and column, 1-based.</returns>
    public static (int Line, int Column) Locate(SourceText source, int offset)
    {
        var line = source.Line;
        var column = source.Column;
        var text = source.Text;
        for (var i = 0; i < offset && i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }

        return (line, column);
    }

    private enum TokenKind
    {
        Number,
        Name,
        Symbol,
        End,
    }

    private readonly record struct Token(TokenKind Kind, string Text, int Position, double Number = 0);

    private sealed class Parser
    {
        private static readonly string[] TwoCharSymbols = ["<=", ">=", "==", "!="];
        private readonly SourceText source;
        private readonly List<Token> tokens;
        private int index;

        public Parser(SourceText source)
        {
            this.source = source;
            tokens = Tokenize();
        }

        private Token Current => tokens[index];

        public RuleSyntax ParseRule()
        {
            if (Current.Kind == TokenKind.End)
            {
                throw Error(Current.Position, "expected an expression; found an empty rule");
            }

            var result = ParseOr();
            if (Current.Kind != TokenKind.End)
            {
                throw Error(Current.Position, $"expected an operator or the end of the rule; found {Describe(Current)}");
            }

            return result;
        }

        private RuleSyntax ParseOr()
        {
            var left = ParseAnd();
            while (IsWord("or"))
            {
                var position = Next().Position;
                left = new BinarySyntax(position, "or", left, ParseAnd());
            }

            return left;
        }

        private RuleSyntax ParseAnd()
        {
            var left = ParseNot();
            while (IsWord("and"))
            {
                var position = Next().Position;
                left = new BinarySyntax(position, "and", left, ParseNot());
            }

            return left;
        }

        private RuleSyntax ParseNot()
        {
            if (IsWord("not"))
            {
                var position = Next().Position;
                return new UnarySyntax(position, "not", ParseNot());
            }

            return ParseComparison();
        }

        private RuleSyntax ParseComparison()
        {
            var left = ParseAdditive();
            if (Current.Kind == TokenKind.Symbol && Current.Text is "<" or "<=" or ">" or ">=" or "==" or "!=")
            {
                var op = Next();
                var right = ParseAdditive();
                if (Current.Kind == TokenKind.Symbol && Current.Text is "<" or "<=" or ">" or ">=" or "==" or "!=")
                {
                    throw Error(Current.Position, $"comparisons cannot be chained; found '{Current.Text}' after a comparison (use 'and')");
                }

                return new BinarySyntax(op.Position, op.Text, left, right);
            }

            if (Current.Kind == TokenKind.Symbol && Current.Text == "=")
            {
                throw Error(Current.Position, "expected a comparison operator; found '=' (did you mean '=='?)");
            }

            return left;
        }

        private RuleSyntax ParseAdditive()
        {
            var left = ParseMultiplicative();
            while (Current.Kind == TokenKind.Symbol && Current.Text is "+" or "-")
            {
                var op = Next();
                left = new BinarySyntax(op.Position, op.Text, left, ParseMultiplicative());
            }

            return left;
        }

        private RuleSyntax ParseMultiplicative()
        {
            var left = ParseUnary();
            while (Current.Kind == TokenKind.Symbol && Current.Text is "*" or "/")
            {
                var op = Next();
                left = new BinarySyntax(op.Position, op.Text, left, ParseUnary());
            }

            return left;
        }

        private RuleSyntax ParseUnary()
        {
            if (Current.Kind == TokenKind.Symbol && Current.Text == "-")
            {
                var position = Next().Position;
                return new UnarySyntax(position, "-", ParseUnary());
            }

            if (Current.Kind == TokenKind.Symbol && Current.Text == "+")
            {
                Next();
                return ParseUnary();
            }

            return ParsePostfix();
        }

        private RuleSyntax ParsePostfix()
        {
            var target = ParsePrimary();
            while (true)
            {
                if (IsSymbol("["))
                {
                    Next();
                    var offset = ParseOr();
                    Expect("]", "to close the previous-value index");
                    target = new IndexSyntax(target.Position, target, offset);
                }
                else if (IsSymbol("."))
                {
                    Next();
                    if (Current.Kind != TokenKind.Name)
                    {
                        throw Error(Current.Position, $"expected an output field name after '.'; found {Describe(Current)}");
                    }

                    var field = Next();
                    target = new MemberSyntax(target.Position, target, field.Text, field.Position);
                }
                else
                {
                    return target;
                }
            }
        }

        private RuleSyntax ParsePrimary()
        {
            var token = Current;
            switch (token.Kind)
            {
                case TokenKind.Number:
                    Next();
                    return new NumberSyntax(token.Position, token.Number);
                case TokenKind.Name when token.Text is "and" or "or" or "not":
                    throw Error(token.Position, $"expected a value; found the operator '{token.Text}'");
                case TokenKind.Name:
                    Next();
                    if (!IsSymbol("("))
                    {
                        return new NameSyntax(token.Position, token.Text);
                    }

                    Next();
                    var arguments = new List<RuleSyntax>();
                    if (!IsSymbol(")"))
                    {
                        arguments.Add(ParseOr());
                        while (IsSymbol(","))
                        {
                            Next();
                            arguments.Add(ParseOr());
                        }
                    }

                    Expect(")", $"to close the arguments of '{token.Text}'");
                    return new CallSyntax(token.Position, token.Text, arguments);
                case TokenKind.Symbol when token.Text == "(":
                    Next();
                    var inner = ParseOr();
                    Expect(")", "to close '('");
                    return inner;
                default:
                    throw Error(token.Position, $"expected a number, a name or '('; found {Describe(token)}");
            }
        }

        private bool IsWord(string word) => Current.Kind == TokenKind.Name && Current.Text == word;

        private bool IsSymbol(string symbol) => Current.Kind == TokenKind.Symbol && Current.Text == symbol;

        private Token Next() => tokens[index < tokens.Count - 1 ? index++ : index];

        private void Expect(string symbol, string why)
        {
            if (!IsSymbol(symbol))
            {
                throw Error(Current.Position, $"expected '{symbol}' {why}; found {Describe(Current)}");
            }

            Next();
        }

        private static string Describe(Token token) => token.Kind switch
        {
            TokenKind.End => "the end of the rule",
            TokenKind.Number => $"the number {token.Text}",
            _ => $"'{token.Text}'",
        };

        private StrategyException Error(int position, string message)
        {
            var (line, column) = Locate(source, position);
            return new StrategyException([new StrategyDiagnostic(line, column, message)]);
        }

        private List<Token> Tokenize()
        {
            var text = source.Text;
            var result = new List<Token>();
            var i = 0;
            while (i < text.Length)
            {
                var c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                    continue;
                }

                var start = i;
                if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
                {
                    while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] == '.'))
                    {
                        i++;
                    }

                    if (i < text.Length && text[i] is 'e' or 'E')
                    {
                        var j = i + 1;
                        if (j < text.Length && text[j] is '+' or '-')
                        {
                            j++;
                        }

                        if (j < text.Length && char.IsAsciiDigit(text[j]))
                        {
                            i = j;
                            while (i < text.Length && char.IsAsciiDigit(text[i]))
                            {
                                i++;
                            }
                        }
                    }

                    var literal = text[start..i];
                    if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                    {
                        throw Error(start, $"expected a number; found '{literal}'");
                    }

                    result.Add(new Token(TokenKind.Number, literal, start, number));
                    continue;
                }

                if (char.IsAsciiLetter(c) || c == '_')
                {
                    while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                    {
                        i++;
                    }

                    result.Add(new Token(TokenKind.Name, text[start..i], start));
                    continue;
                }

                if (i + 1 < text.Length && Array.IndexOf(TwoCharSymbols, text.Substring(i, 2)) >= 0)
                {
                    result.Add(new Token(TokenKind.Symbol, text.Substring(i, 2), start));
                    i += 2;
                    continue;
                }

                if ("+-*/<>()[],.=".Contains(c, StringComparison.Ordinal))
                {
                    result.Add(new Token(TokenKind.Symbol, c.ToString(), start));
                    i++;
                    continue;
                }

                var hint = c switch
                {
                    '&' => " (use 'and')",
                    '|' => " (use 'or')",
                    '!' => " (use 'not' or '!=')",
                    _ => string.Empty,
                };
                throw Error(start, $"expected an operator, a name or a number; found '{c}'{hint}");
            }

            result.Add(new Token(TokenKind.End, string.Empty, text.Length));
            return result;
        }
    }
}
