namespace SigmaFlow.Functions.Cli;

/// <summary>
/// Parsed command-line options: <c>--name value</c>, <c>--name=value</c> and bare flags. Repeated options keep every
/// value. Unknown options are reported by the command that reads them.
/// </summary>
internal sealed class CliArguments
{
    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    private CliArguments(string? command, List<string> positional)
    {
        Command = command;
        Positional = positional;
    }

    public string? Command { get; }

    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses arguments; flags listed in <paramref name="flags"/> take no value.</summary>
    public static CliArguments Parse(IReadOnlyList<string> args, ISet<string> flags)
    {
        var command = args.Count > 0 && !args[0].StartsWith('-') ? args[0] : null;
        var positional = new List<string>();
        var parsed = new CliArguments(command, positional);
        for (var i = command is null ? 0 : 1; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                positional.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!flags.Contains(name))
            {
                if (i + 1 >= args.Count)
                {
                    throw new CliUsageException($"Option --{name} needs a value.");
                }

                value = args[++i];
            }

            if (!parsed.options.TryGetValue(name, out var list))
            {
                parsed.options[name] = list = [];
            }

            list.Add(value ?? "true");
        }

        return parsed;
    }

    public bool Flag(string name)
    {
        read.Add(name);
        return options.ContainsKey(name);
    }

    public string? Value(string name)
    {
        read.Add(name);
        if (!options.TryGetValue(name, out var list))
        {
            return null;
        }

        if (list.Count > 1)
        {
            throw new CliUsageException($"Option --{name} was given {list.Count} times; give it once.");
        }

        return list[0];
    }

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> Values(string name)
    {
        read.Add(name);
        return options.TryGetValue(name, out var list) ? list : [];
    }

    public double Number(string name, double defaultValue, double minimum, double maximum)
    {
        var text = Value(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < minimum || value > maximum)
        {
            throw new CliUsageException(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Option --{name} must be a number between {minimum} and {maximum}; got '{text}'."));
        }

        return value;
    }

    public string Required(string name, string hint) =>
        Value(name) ?? throw new CliUsageException($"Missing required option --{name} ({hint}).");

    public int Int(string name, int defaultValue, int minimum, int maximum)
    {
        var text = Value(name);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value) || value < minimum || value > maximum)
        {
            throw new CliUsageException($"Option --{name} must be a whole number between {minimum} and {maximum}; got '{text}'.");
        }

        return value;
    }

    /// <summary>Fails on any option the command did not read.</summary>
    public void RejectUnknown(string command)
    {
        foreach (var name in options.Keys)
        {
            if (!read.Contains(name))
            {
                throw new CliUsageException($"Unknown option --{name} for '{command}'. Run 'sigmaflow {command} --help'.");
            }
        }

        if (Positional.Count > 0)
        {
            throw new CliUsageException($"Unexpected argument '{Positional[0]}' for '{command}'.");
        }
    }
}

/// <summary>The command line is wrong; the message says what and how to fix it.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
