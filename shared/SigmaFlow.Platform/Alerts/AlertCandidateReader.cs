using System.Globalization;
using System.Text.Json;
using SigmaFlow.Core.Live;

namespace SigmaFlow.Platform.Alerts;

/// <summary>
/// Reads the messages of the <c>alerts</c> queue. Two shapes, told apart by <c>type</c>; unknown members are ignored
/// (producers may add some), every problem is reported with its field, rule and value.
/// <list type="bullet">
/// <item><c>signal</c> — what IngestTicks writes (<see cref="Live.LiveMessages.Signal"/>):
/// <c>{"type":"signal","id":"BTCUSD|ema-cross|1m|LongEntry|1767225600000","symbol":"BTCUSD","strategy":"ema-cross","timeframe":"1m","kind":"longEntry","time":1767225600000,"price":65000.5}</c>;
/// <c>id</c> may be left out (it is then made the same way), <c>price</c> may be null.</item>
/// <item><c>alert</c> — a condition found true elsewhere:
/// <c>{"type":"alert","ruleId":"btc-100k","symbol":"BTCUSD","time":1767225600000,"values":{"close":100012.5,"level":100000},"text":"BTCUSD crossed above 100000"}</c>;
/// <c>time</c> in Unix ms or ISO 8601; <c>values</c> (at most 20 numbers or nulls) and <c>text</c> (at most 1,000
/// characters) are optional. Its id is <c>{ruleId}|{symbol}|{time ms}</c>.</item>
/// </list>
/// </summary>
public static class AlertCandidateReader
{
    /// <summary>Latest time accepted (year 9999).</summary>
    private static readonly long MaxTime = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>Reads one message.</summary>
    /// <param name="text">The message text.</param>
    /// <returns>The candidate, or every problem.</returns>
    public static AlertReadResult<AlertCandidate> Read(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Fail(new AlertProblem("(message)", "must be a JSON object with a type of signal or alert", "nothing"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            return Fail(new AlertProblem("(message)", string.Create(CultureInfo.InvariantCulture, $"is not valid JSON (line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1})"), AlertProblem.Show(text)));
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <summary>Reads one parsed message.</summary>
    /// <param name="message">The message.</param>
    /// <returns>The candidate, or every problem.</returns>
    public static AlertReadResult<AlertCandidate> Read(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object)
        {
            return Fail(new AlertProblem("(message)", "must be a JSON object with a type of signal or alert", AlertJson.Show(message)));
        }

        var type = Member(message, "type");
        return type.ValueKind == JsonValueKind.String && type.GetString() is { } name
            ? name.Equals("signal", StringComparison.OrdinalIgnoreCase) ? ReadSignal(message)
                : name.Equals("alert", StringComparison.OrdinalIgnoreCase) ? ReadAlert(message)
                : Fail(new AlertProblem("type", "must be signal or alert", AlertJson.Show(type)))
            : Fail(new AlertProblem("type", "is required: signal or alert", type.ValueKind == JsonValueKind.Undefined ? null : AlertJson.Show(type)));
    }

    private static AlertReadResult<AlertCandidate> ReadSignal(JsonElement message)
    {
        var problems = new List<AlertProblem>();
        var symbol = Symbol(message, problems);
        var strategy = RequiredText(message, "strategy", 100, problems);
        var timeframeElement = Member(message, "timeframe");
        var timeframe = RequiredText(message, "timeframe", 16, problems);
        if (timeframe is not null && !Core.Data.Timeframe.TryParse(timeframe, out _))
        {
            problems.Add(new AlertProblem("timeframe", "must be a timeframe such as 1m, 15m, 1h or 1d", AlertJson.Show(timeframeElement)));
            timeframe = null;
        }

        var kindElement = Member(message, "kind");
        SignalKind? kind = null;
        if (kindElement.ValueKind == JsonValueKind.String && Enum.TryParse<SignalKind>(kindElement.GetString(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(kindElement.GetString()![0]))
        {
            kind = parsed;
        }
        else
        {
            problems.Add(new AlertProblem("kind", "must be longEntry, longExit, shortEntry or shortExit", kindElement.ValueKind == JsonValueKind.Undefined ? null : AlertJson.Show(kindElement)));
        }

        var time = Time(message, problems);
        double? price = null;
        var priceElement = Member(message, "price");
        if (priceElement.ValueKind == JsonValueKind.Number && priceElement.TryGetDouble(out var p) && double.IsFinite(p))
        {
            price = p;
        }
        else if (priceElement.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            problems.Add(new AlertProblem("price", "must be a number or null", AlertJson.Show(priceElement)));
        }

        var idElement = Member(message, "id");
        string? id = null;
        if (idElement.ValueKind == JsonValueKind.String && idElement.GetString() is { Length: > 0 and <= 512 } given && !given.Any(char.IsControl))
        {
            id = given;
        }
        else if (idElement.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            problems.Add(new AlertProblem("id", "must be 1 to 512 characters without control characters", AlertJson.Show(idElement)));
        }

        if (problems.Count > 0)
        {
            return new AlertReadResult<AlertCandidate>(null, problems);
        }

        id ??= string.Create(CultureInfo.InvariantCulture, $"{symbol}|{strategy}|{Core.Data.Timeframe.Parse(timeframe!)}|{kind}|{time}");
        return new AlertReadResult<AlertCandidate>(
            new AlertCandidate
            {
                Kind = AlertCandidateKind.Signal,
                Id = id,
                Symbol = symbol!,
                Strategy = strategy,
                Timeframe = Core.Data.Timeframe.Parse(timeframe!).ToString(),
                SignalKind = kind,
                Time = time!.Value,
                Price = price,
            },
            []);
    }

    private static AlertReadResult<AlertCandidate> ReadAlert(JsonElement message)
    {
        var problems = new List<AlertProblem>();
        var ruleElement = Member(message, "ruleId");
        string? ruleId = null;
        if (ruleElement.ValueKind == JsonValueKind.String && AlertValidator.IsValidId(ruleElement.GetString()))
        {
            ruleId = ruleElement.GetString();
        }
        else
        {
            problems.Add(new AlertProblem("ruleId", ruleElement.ValueKind == JsonValueKind.Undefined ? "is required: " + AlertValidator.IdRule : "must be " + AlertValidator.IdRule, ruleElement.ValueKind == JsonValueKind.Undefined ? null : AlertJson.Show(ruleElement)));
        }

        var symbol = Symbol(message, problems);
        var time = Time(message, problems);
        var values = new List<KeyValuePair<string, double?>>();
        var valuesElement = Member(message, "values");
        if (valuesElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in valuesElement.EnumerateObject())
            {
                if (values.Count == AlertCandidate.MaxValues)
                {
                    problems.Add(new AlertProblem("values", string.Create(CultureInfo.InvariantCulture, $"must hold at most {AlertCandidate.MaxValues} values"), string.Create(CultureInfo.InvariantCulture, $"{valuesElement.EnumerateObject().Count()} values")));
                    break;
                }

                if (property.Name.Length is 0 or > 64 || property.Name.Any(char.IsControl))
                {
                    problems.Add(new AlertProblem("values", "must have names of 1 to 64 characters without control characters", AlertProblem.Show(property.Name)));
                }
                else if (property.Value.ValueKind == JsonValueKind.Null)
                {
                    values.Add(new(property.Name, null));
                }
                else if (property.Value.ValueKind == JsonValueKind.Number && property.Value.TryGetDouble(out var v) && double.IsFinite(v))
                {
                    values.Add(new(property.Name, v));
                }
                else
                {
                    problems.Add(new AlertProblem($"values.{property.Name}", "must be a number or null", AlertJson.Show(property.Value)));
                }
            }
        }
        else if (valuesElement.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            problems.Add(new AlertProblem("values", "must be an object of numbers", AlertJson.Show(valuesElement)));
        }

        string? text = null;
        var textElement = Member(message, "text");
        if (textElement.ValueKind == JsonValueKind.String)
        {
            text = textElement.GetString()!;
            if (text.Length > AlertCandidate.MaxTextLength)
            {
                problems.Add(new AlertProblem("text", string.Create(CultureInfo.InvariantCulture, $"must be at most {AlertCandidate.MaxTextLength} characters"), string.Create(CultureInfo.InvariantCulture, $"{text.Length} characters")));
            }
        }
        else if (textElement.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
        {
            problems.Add(new AlertProblem("text", "must be a string", AlertJson.Show(textElement)));
        }

        return problems.Count > 0
            ? new AlertReadResult<AlertCandidate>(null, problems)
            : new AlertReadResult<AlertCandidate>(AlertCandidate.ForRule(ruleId!, symbol!, time!.Value, values, string.IsNullOrWhiteSpace(text) ? null : text), []);
    }

    private static string? Symbol(JsonElement message, List<AlertProblem> problems)
    {
        var element = Member(message, "symbol");
        var symbol = element.ValueKind == JsonValueKind.String ? element.GetString() : null;
        if (AlertValidator.SymbolProblem("symbol", symbol) is { } problem)
        {
            problems.Add(element.ValueKind is JsonValueKind.String or JsonValueKind.Undefined ? problem : problem with { Value = AlertJson.Show(element) });
            return null;
        }

        return symbol;
    }

    private static string? RequiredText(JsonElement message, string name, int maxLength, List<AlertProblem> problems)
    {
        var element = Member(message, name);
        if (element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text && text.Length <= maxLength && !text.Any(char.IsControl))
        {
            return text;
        }

        problems.Add(new AlertProblem(name, string.Create(CultureInfo.InvariantCulture, $"{(element.ValueKind == JsonValueKind.Undefined ? "is required:" : "must be")} 1 to {maxLength} characters without control characters"), element.ValueKind == JsonValueKind.Undefined ? null : AlertJson.Show(element)));
        return null;
    }

    private static long? Time(JsonElement message, List<AlertProblem> problems)
    {
        var element = Member(message, "time");
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var ms) && ms >= 0 && ms <= MaxTime)
        {
            return ms;
        }

        if (element.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(element.GetString(), CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time)
            && time.ToUnixTimeMilliseconds() >= 0)
        {
            return time.ToUnixTimeMilliseconds();
        }

        problems.Add(new AlertProblem("time", element.ValueKind == JsonValueKind.Undefined ? "is required: Unix milliseconds or an ISO 8601 time" : "must be Unix milliseconds (a whole number from 0) or an ISO 8601 time from 1970", element.ValueKind == JsonValueKind.Undefined ? null : AlertJson.Show(element)));
        return null;
    }

    private static JsonElement Member(JsonElement message, string name)
    {
        if (message.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var property in message.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return default;
    }

    private static AlertReadResult<AlertCandidate> Fail(AlertProblem problem) => new(null, [problem]);
}
