using SigmaFlow.Core.Data;
using SigmaFlow.Core.Live;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Platform.Strategies;

namespace SigmaFlow.Platform.Live;

/// <summary>
/// The strategies the live pipeline runs on every symbol's 1-minute bars: every strategy document (<c>*.yaml</c>,
/// <c>*.yml</c>, <c>*.json</c>) of a folder, or the built-in example <see cref="DefaultName"/> when no folder is set.
/// </summary>
public static class LiveStrategies
{
    /// <summary>Name of the built-in example.</summary>
    public const string DefaultName = "ema-cross";

    /// <summary>The timeframe live strategies run on.</summary>
    public static Timeframe Timeframe { get; } = Timeframe.Parse("1m");

    /// <summary>
    /// The built-in example: long entry <c>crossover(ema(close, 9), ema(close, 21))</c>, exit
    /// <c>crossunder(ema(close, 9), ema(close, 21))</c>, on 1-minute bars.
    /// </summary>
    /// <returns>The strategy.</returns>
    public static LiveStrategy Default()
    {
        var document = new StrategyDocument
        {
            Name = DefaultName,
            Long = new StrategySide
            {
                Entry = SourceText.Of("crossover(ema(close, 9), ema(close, 21))"),
                Exit = SourceText.Of("crossunder(ema(close, 9), ema(close, 21))"),
            },
        };
        return new LiveStrategy(DefaultName, StrategyCompiler.Compile(document), Timeframe);
    }

    /// <summary>Loads the strategies of a folder, in file-name order, or the built-in example when <paramref name="folder"/> is null or empty.</summary>
    /// <param name="folder">The folder (setting <c>LiveStrategies</c>), or null.</param>
    /// <returns>The strategies (none when the folder holds no strategy documents).</returns>
    /// <exception cref="InvalidOperationException">The folder does not exist, a document is invalid (the message names the file and every problem), or two documents share a name.</exception>
    public static IReadOnlyList<LiveStrategy> Load(string? folder)
    {
        if (string.IsNullOrWhiteSpace(folder))
        {
            return [Default()];
        }

        if (!Directory.Exists(folder))
        {
            throw new InvalidOperationException($"the live strategies folder '{folder}' does not exist; set LiveStrategies to a folder of strategy documents (*.yaml, *.yml, *.json) or leave it empty for the built-in '{DefaultName}'.");
        }

        var files = Directory.EnumerateFiles(folder)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        var strategies = new List<LiveStrategy>(files.Count);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            CompiledStrategy compiled;
            try
            {
                compiled = StrategyCompiler.Compile(StrategyDocumentReader.Read(File.ReadAllText(file)));
            }
            catch (FormatException e)
            {
                throw new InvalidOperationException($"live strategy '{file}' is not valid: {e.Message}", e);
            }

            var name = compiled.Document.Name;
            if (!names.TryAdd(name, file))
            {
                throw new InvalidOperationException($"live strategies '{names[name]}' and '{file}' are both named '{name}'; names identify signals and must be unique.");
            }

            strategies.Add(new LiveStrategy(name, compiled, Timeframe));
        }

        return strategies;
    }
}
