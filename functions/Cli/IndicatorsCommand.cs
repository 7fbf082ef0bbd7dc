using System.Globalization;
using System.Text;
using System.Text.Json;
using SigmaFlow.Core.Data;
using SigmaFlow.Core.Indicators.Catalog;

namespace SigmaFlow.Functions.Cli;

/// <summary><c>sigmaflow indicators</c>: compute one indicator over a CSV file, or list the catalog.</summary>
internal static class IndicatorsCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Flag("list"))
        {
            var listFormat = args.Value("format") ?? "table";
            args.RejectUnknown("indicators");
            await stdout.WriteAsync(listFormat switch
            {
                "table" => CatalogText(),
                "json" => CatalogJson(),
                _ => throw new CliUsageException($"--format for --list must be table or json; got '{listFormat}'."),
            }).ConfigureAwait(false);
            return CliApp.Ok;
        }

        var data = args.Required("data", "a CSV file of bars");
        var spec = args.Required("spec", "an indicator such as ema(20); see --list");
        var format = args.Value("format") ?? "csv";
        var outPath = args.Value("out");
        var skipBad = args.Flag("skip-bad-rows");
        args.RejectUnknown("indicators");
        if (format is not ("csv" or "json"))
        {
            throw new CliUsageException($"--format must be csv or json; got '{format}'.");
        }

        var (definition, arguments) = IndicatorCatalog.Parse(spec);
        var bars = await BarFiles.LoadAsync(data, skipBad, stderr).ConfigureAwait(false);
        var result = definition.Calculate(bars, arguments);

        if (outPath is null)
        {
            await Write(result, format, stdout).ConfigureAwait(false);
        }
        else
        {
            await using var file = new StreamWriter(outPath, append: false, new UTF8Encoding(false));
            await Write(result, format, file).ConfigureAwait(false);
        }

        return CliApp.Ok;
    }

    private static Task Write(IndicatorResult result, string format, TextWriter writer) =>
        format == "json" ? WriteJson(result, writer) : WriteCsv(result, writer);

    /// <summary>Header <c>timestamp,field…</c>; one row per bar; empty cells in warm-up; round-trip numbers.</summary>
    public static async Task WriteCsv(IndicatorResult result, TextWriter writer)
    {
        var line = new StringBuilder(256);
        line.Append("timestamp");
        foreach (var output in result.Definition.Outputs)
        {
            line.Append(',').Append(output.Name);
        }

        await writer.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        for (var i = 0; i < result.Time.Length; i++)
        {
            line.Clear();
            line.Append(Formats.Time(result.Time[i]));
            foreach (var column in result.Columns)
            {
                line.Append(',');
                var v = column[i];
                if (!double.IsNaN(v))
                {
                    line.Append(v.ToString("R", CultureInfo.InvariantCulture));
                }
            }

            await writer.WriteLineAsync(line.ToString()).ConfigureAwait(false);
        }
    }

    /// <summary>One object: indicator, parameters, source, fields and rows (<c>null</c> in warm-up).</summary>
    public static async Task WriteJson(IndicatorResult result, TextWriter writer)
    {
        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false }))
        {
            var definition = result.Definition;
            json.WriteStartObject();
            json.WriteString("indicator", definition.Name);
            json.WriteStartObject("parameters");
            for (var p = 0; p < definition.Parameters.Count; p++)
            {
                json.WriteNumber(definition.Parameters[p].Name, result.Arguments.Values[p]);
            }

            json.WriteEndObject();
            if (definition.UsesSource)
            {
                json.WriteString("source", result.Arguments.Source.Name());
            }

            json.WriteStartArray("fields");
            foreach (var output in definition.Outputs)
            {
                json.WriteStringValue(output.Name);
            }

            json.WriteEndArray();
            json.WriteStartArray("rows");
            for (var i = 0; i < result.Time.Length; i++)
            {
                json.WriteStartObject();
                json.WriteString("timestamp", Formats.Time(result.Time[i]));
                for (var f = 0; f < definition.Outputs.Count; f++)
                {
                    var v = result.Columns[f][i];
                    if (double.IsNaN(v))
                    {
                        json.WriteNull(definition.Outputs[f].Name);
                    }
                    else
                    {
                        json.WriteNumber(definition.Outputs[f].Name, v);
                    }
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await writer.WriteLineAsync(Encoding.UTF8.GetString(buffer.ToArray())).ConfigureAwait(false);
    }

    private static string CatalogText()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{IndicatorCatalog.All.Count} indicators. SPEC = name(arg, …) in parameter order; missing trailing arguments take their defaults.");
        foreach (var group in IndicatorCatalog.All.GroupBy(d => d.Category))
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"{group.Key}:");
            foreach (var d in group)
            {
                var aliases = d.Aliases.Count == 0 ? d.FullName : $"{d.FullName}, {string.Join(", ", d.Aliases)}";
                var parameters = string.Join(", ", d.Parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Name}={p.Default} [{p.Minimum}..{p.Maximum}{(p.Kind == ParameterKind.WholeNumber ? ", whole" : string.Empty)}]")));
                text.AppendLine(CultureInfo.InvariantCulture, $"  {d.Name,-11} {d.Description}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-11} also: {aliases}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-11} parameters: {(parameters.Length == 0 ? "none" : parameters)}{(d.UsesSource ? "; source: close (or open, high, low, volume, hl2, hlc3, ohlc4)" : string.Empty)}");
                text.AppendLine(CultureInfo.InvariantCulture, $"  {string.Empty,-11} outputs: {string.Join(",", d.Outputs.Select(o => o.Name))}; warm-up: {d.Warmup(d.Defaults)} bars with defaults");
            }
        }

        return text.ToString();
    }

    /// <summary>The catalog as JSON, for scripts (and later the API and the dashboard).</summary>
    public static string CatalogJson()
    {
        var items = IndicatorCatalog.All.Select(d => new
        {
            name = d.Name,
            fullName = d.FullName,
            aliases = d.Aliases,
            category = d.Category,
            description = d.Description,
            usesSource = d.UsesSource,
            parameters = d.Parameters.Select(p => new { name = p.Name, type = p.Kind == ParameterKind.WholeNumber ? "integer" : "number", @default = p.Default, min = p.Minimum, max = p.Maximum, description = p.Description }),
            outputs = d.Outputs.Select(o => new { name = o.Name, description = o.Description, lookAhead = o.LookAhead }),
            warmup = d.Warmup(d.Defaults),
        });
        return JsonSerializer.Serialize(items) + Environment.NewLine;
    }
}

/// <summary>Text formats shared by the CLI outputs.</summary>
internal static class Formats
{
    /// <summary>ISO 8601 UTC, with milliseconds only when they are not zero.</summary>
    public static string Time(long unixMilliseconds)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(unixMilliseconds).UtcDateTime;
        return t.ToString(t.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}

/// <summary>Loads bar files for commands, reporting bad rows or the data-quality report on stderr.</summary>
internal static class BarFiles
{
    public static async Task<BarSeries> LoadAsync(string path, bool skipBadRows, TextWriter stderr)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Data file '{path}' does not exist.", path);
        }

        BarLoadResult result;
        using (var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true))
        {
            result = BarCsvReader.Read(reader, new BarLoadOptions { SkipBadRows = skipBadRows });
        }

        result.ThrowIfFailed();
        if (skipBadRows)
        {
            await stderr.WriteAsync(result.Quality.ToText()).ConfigureAwait(false);
        }

        return result.Bars;
    }
}
