using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using SigmaFlow.Platform.Azure.Queues;

namespace SigmaFlow.Functions.Local.Runtime;

/// <summary>
/// A function app as the Functions host reads it from its root folder: <c>host.json</c> and one
/// <c>{Function}/function.json</c> per function. <see cref="Load"/> validates everything the local runtime relies on
/// and resolves <c>%Setting%</c> placeholders in binding properties from the settings, failing with a
/// <see cref="FunctionDefinitionException"/> that names the file, the field and the rule.
/// </summary>
public sealed partial class FunctionAppDefinition
{
    /// <summary>Trigger types the local runtime runs.</summary>
    public static IReadOnlyList<string> SupportedTriggerTypes { get; } = ["httpTrigger", "timerTrigger", "queueTrigger", "eventHubTrigger"];

    private static readonly JsonDocumentOptions JsonOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private FunctionAppDefinition(string appRoot, HostSettings host, IReadOnlyList<FunctionDefinition> functions, IReadOnlyList<string> disabled)
    {
        AppRoot = appRoot;
        Host = host;
        Functions = functions;
        Disabled = disabled;
    }

    /// <summary>The folder holding <c>host.json</c>.</summary>
    public string AppRoot { get; }

    /// <summary>The host settings.</summary>
    public HostSettings Host { get; }

    /// <summary>The enabled functions, by name.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>Functions skipped because <c>function.json</c> says <c>"disabled": true</c>, the setting <c>AzureWebJobs.{Name}.Disabled</c> is true, or <c>host.json</c>'s <c>functions</c> leaves them out.</summary>
    public IReadOnlyList<string> Disabled { get; }

    /// <summary>Reads and validates a function app.</summary>
    /// <param name="appRoot">The folder holding <c>host.json</c> and the function folders.</param>
    /// <param name="readSetting">Reads an app setting (for <c>%Setting%</c> and <c>AzureWebJobs.{Name}.Disabled</c>); null when unset.</param>
    /// <returns>The app.</returns>
    /// <exception cref="FunctionDefinitionException">A file is missing or invalid; the message names the file, the field and the rule.</exception>
    public static FunctionAppDefinition Load(string appRoot, Func<string, string?> readSetting)
    {
        ArgumentNullException.ThrowIfNull(appRoot);
        ArgumentNullException.ThrowIfNull(readSetting);
        var root = Path.GetFullPath(appRoot);
        var hostPath = Path.Combine(root, "host.json");
        if (!File.Exists(hostPath))
        {
            throw new FunctionDefinitionException(hostPath, "(file)", "host.json is missing; the app root must hold host.json and one folder per function (pass --app-root).");
        }

        var host = ReadHost(hostPath);
        var functions = new List<FunctionDefinition>();
        var disabled = new List<string>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var path = Path.Combine(folder, "function.json");
            if (!File.Exists(path))
            {
                continue;
            }

            var name = Path.GetFileName(folder);
            if (!FunctionName().IsMatch(name))
            {
                throw new FunctionDefinitionException(path, "(folder name)", $"the function name '{name}' must start with a letter and hold only letters, digits, '_' and '-' (at most 128 characters).");
            }

            if (host.Functions is { } only && !only.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                disabled.Add(name);
                continue;
            }

            var function = ReadFunction(name, path, readSetting, out var isDisabled);
            if (isDisabled || IsTrue(readSetting($"AzureWebJobs.{name}.Disabled")))
            {
                disabled.Add(name);
                continue;
            }

            functions.Add(function);
        }

        CheckConsumerGroups(functions);
        return new FunctionAppDefinition(root, host, functions, disabled);
    }

    /// <summary>A function by name (case-insensitive).</summary>
    /// <param name="name">The name.</param>
    /// <returns>The function, or null.</returns>
    public FunctionDefinition? Find(string name) => Functions.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    private static HostSettings ReadHost(string path)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FunctionDefinitionException(path, "(root)", $"host.json must be a JSON object; got {root.ValueKind}.");
        }

        var version = Property(root, "version");
        if (version is not { ValueKind: JsonValueKind.String } || version.Value.GetString() != "2.0")
        {
            throw new FunctionDefinitionException(path, "version", $"must be \"2.0\" (the Functions v4 host's schema); got {Show(version)}.");
        }

        var settings = new HostSettings();
        if (Property(root, "functionTimeout") is { } timeout)
        {
            var text = String(path, "functionTimeout", timeout);
            settings = settings with { FunctionTimeout = text.Trim() == "-1" ? null : Duration(path, "functionTimeout", timeout, TimeSpan.FromSeconds(1)) };
        }

        if (Property(root, "functions") is { } only)
        {
            if (only.ValueKind != JsonValueKind.Array || only.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                throw new FunctionDefinitionException(path, "functions", $"must be an array of function names; got {Show(only)}.");
            }

            settings = settings with { Functions = only.EnumerateArray().Select(e => e.GetString()!).ToArray() };
        }

        var extensions = Property(root, "extensions");
        if (extensions is { ValueKind: JsonValueKind.Object } ext)
        {
            if (Property(ext, "http") is { ValueKind: JsonValueKind.Object } http && Property(http, "routePrefix") is { } prefix)
            {
                settings = settings with { RoutePrefix = String(path, "extensions.http.routePrefix", prefix).Trim('/') };
            }

            if (Property(ext, "queues") is { ValueKind: JsonValueKind.Object } queues)
            {
                settings = settings with { Queues = ReadQueues(path, queues) };
            }

            if (Property(ext, "eventHubs") is { ValueKind: JsonValueKind.Object } eventHubs)
            {
                settings = settings with { EventHubs = ReadEventHubs(path, eventHubs) };
            }
        }

        return settings;
    }

    private static QueueHostSettings ReadQueues(string path, JsonElement queues)
    {
        var result = new QueueHostSettings();
        if (Property(queues, "batchSize") is { } batch)
        {
            result = result with { BatchSize = Integer(path, "extensions.queues.batchSize", batch, 1, QueueClient.MaxMessagesPerRequest) };
        }

        if (Property(queues, "newBatchThreshold") is { } threshold)
        {
            result = result with { NewBatchThreshold = Integer(path, "extensions.queues.newBatchThreshold", threshold, 0, 1000) };
        }

        if (Property(queues, "maxDequeueCount") is { } dequeue)
        {
            result = result with { MaxDequeueCount = Integer(path, "extensions.queues.maxDequeueCount", dequeue, 1, 1000) };
        }

        if (Property(queues, "maxPollingInterval") is { } polling)
        {
            result = result with { MaxPollingInterval = Duration(path, "extensions.queues.maxPollingInterval", polling, TimeSpan.FromMilliseconds(100)) };
        }

        if (Property(queues, "visibilityTimeout") is { } visibility)
        {
            result = result with { VisibilityTimeout = Duration(path, "extensions.queues.visibilityTimeout", visibility, TimeSpan.Zero) };
        }

        if (Property(queues, "messageEncoding") is { } encoding)
        {
            result = result with
            {
                MessageEncoding = String(path, "extensions.queues.messageEncoding", encoding).ToUpperInvariant() switch
                {
                    "NONE" => QueueMessageEncoding.None,
                    "BASE64" => QueueMessageEncoding.Base64,
                    _ => throw new FunctionDefinitionException(path, "extensions.queues.messageEncoding", $"must be \"base64\" or \"none\"; got {Show(encoding)}."),
                },
            };
        }

        return result;
    }

    private static EventHubsHostSettings ReadEventHubs(string path, JsonElement eventHubs)
    {
        var result = new EventHubsHostSettings();
        if (Property(eventHubs, "maxEventBatchSize") is { } batch)
        {
            result = result with { MaxEventBatchSize = Integer(path, "extensions.eventHubs.maxEventBatchSize", batch, 1, 100_000) };
        }

        if (Property(eventHubs, "batchCheckpointFrequency") is { } frequency)
        {
            result = result with { BatchCheckpointFrequency = Integer(path, "extensions.eventHubs.batchCheckpointFrequency", frequency, 1, 100_000) };
        }

        if (Property(eventHubs, "initialOffsetOptions") is { ValueKind: JsonValueKind.Object } offset && Property(offset, "type") is { } type)
        {
            result = result with
            {
                InitialOffset = String(path, "extensions.eventHubs.initialOffsetOptions.type", type).ToUpperInvariant() switch
                {
                    "FROMSTART" => InitialOffset.FromStart,
                    "FROMEND" => InitialOffset.FromEnd,
                    _ => throw new FunctionDefinitionException(path, "extensions.eventHubs.initialOffsetOptions.type", $"must be \"fromStart\" or \"fromEnd\" locally (\"fromEnqueuedTime\" is not supported by sigmaflow serve); got {Show(type)}."),
                },
            };
        }

        return result;
    }

    private static FunctionDefinition ReadFunction(string name, string path, Func<string, string?> readSetting, out bool disabled)
    {
        using var document = Parse(path);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FunctionDefinitionException(path, "(root)", $"function.json must be a JSON object with \"bindings\"; got {root.ValueKind}.");
        }

        disabled = Property(root, "disabled") is { } flag && (flag.ValueKind == JsonValueKind.True || (flag.ValueKind == JsonValueKind.String && IsTrue(flag.GetString())));
        if (Property(root, "bindings") is not { ValueKind: JsonValueKind.Array } bindings || bindings.GetArrayLength() == 0)
        {
            throw new FunctionDefinitionException(path, "bindings", "is missing or empty: a function needs a non-empty array of bindings with exactly one trigger.");
        }

        TriggerDefinition? trigger = null;
        var triggerIndex = -1;
        var httpOutputs = 0;
        var index = 0;
        foreach (var binding in bindings.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"bindings[{index}]");
            if (binding.ValueKind != JsonValueKind.Object)
            {
                throw new FunctionDefinitionException(path, at, $"must be a JSON object; got {binding.ValueKind}.");
            }

            var type = Required(path, at + ".type", binding, "type");
            var bindingName = Required(path, at + ".name", binding, "name");
            var direction = Required(path, at + ".direction", binding, "direction").ToUpperInvariant();
            if (direction is not ("IN" or "OUT" or "INOUT"))
            {
                throw new FunctionDefinitionException(path, at + ".direction", $"must be \"in\", \"out\" or \"inout\"; got \"{direction.ToLowerInvariant()}\".");
            }

            if (type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase))
            {
                if (trigger is not null)
                {
                    throw new FunctionDefinitionException(path, at + ".type", string.Create(CultureInfo.InvariantCulture, $"a function has exactly one trigger; bindings[{triggerIndex}] is already a {trigger.Type}."));
                }

                if (direction != "IN")
                {
                    throw new FunctionDefinitionException(path, at + ".direction", $"a trigger's direction must be \"in\"; got \"{direction.ToLowerInvariant()}\".");
                }

                trigger = ReadTrigger(path, at, type, bindingName, binding, name, readSetting);
                triggerIndex = index;
            }
            else if (type.Equals("http", StringComparison.OrdinalIgnoreCase) && direction == "OUT")
            {
                httpOutputs++;
            }
            else
            {
                throw new FunctionDefinitionException(path, at + ".type", $"the {direction.ToLowerInvariant()} binding type \"{type}\" is not run by sigmaflow serve: SigmaFlow functions declare only their trigger (and an http output for HTTP functions) and reach storage, queues, Event Hubs, Web PubSub and Cosmos through the platform's clients (ARCHITECTURE.md §2).");
            }

            index++;
        }

        if (trigger is null)
        {
            throw new FunctionDefinitionException(path, "bindings", $"has no trigger binding; supported triggers: {string.Join(", ", SupportedTriggerTypes)}.");
        }

        if (trigger is HttpTriggerDefinition && httpOutputs != 1)
        {
            throw new FunctionDefinitionException(path, "bindings", "an httpTrigger needs exactly one \"http\" output binding (an HTTP-only function, which the host proxies with enableProxyingHttpRequest); sigmaflow serve runs only HTTP-only HTTP functions.");
        }

        if (trigger is not HttpTriggerDefinition && httpOutputs > 0)
        {
            throw new FunctionDefinitionException(path, "bindings", $"an \"http\" output binding needs an httpTrigger; this function's trigger is a {trigger.Type}.");
        }

        var retry = Property(root, "retry") is { } retryElement ? ReadRetry(path, retryElement) : null;
        if (retry is not null && trigger is HttpTriggerDefinition or QueueTriggerDefinition)
        {
            throw new FunctionDefinitionException(path, "retry", $"retry policies apply to timer and Event Hubs triggers; a {trigger.Type} retries through its own mechanism (queues: dequeue count and the poison queue; HTTP: the caller).");
        }

        return new FunctionDefinition(name, path, trigger, retry);
    }

    private static TriggerDefinition ReadTrigger(string path, string at, string type, string bindingName, JsonElement binding, string functionName, Func<string, string?> readSetting)
    {
        string? Optional(string property) => Property(binding, property) is { } value ? Resolve(path, $"{at}.{property}", String(path, $"{at}.{property}", value), readSetting) : null;
        string Need(string property, string hint) => Optional(property) is { Length: > 0 } value
            ? value
            : throw new FunctionDefinitionException(path, $"{at}.{property}", $"is required for a {type}: {hint}.");

        switch (type.ToUpperInvariant())
        {
            case "HTTPTRIGGER":
            {
                var methods = Property(binding, "methods") is { } m
                    ? (m.ValueKind == JsonValueKind.Array && m.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                        ? m.EnumerateArray().Select(e => e.GetString()!.ToUpperInvariant()).ToArray()
                        : throw new FunctionDefinitionException(path, at + ".methods", $"must be an array of HTTP methods such as [\"get\", \"post\"]; got {Show(m)}."))
                    : [];
                var route = (Optional("route") ?? functionName).Trim('/');
                return new HttpTriggerDefinition(bindingName, route, methods, Optional("authLevel") ?? "function");
            }

            case "TIMERTRIGGER":
            {
                var expression = Need("schedule", "a six-field NCRONTAB expression such as \"0 */5 * * * *\" or a TimeSpan such as \"00:05:00\"");
                if (!TimerSchedule.TryParse(expression, out var schedule, out var error))
                {
                    throw new FunctionDefinitionException(path, at + ".schedule", error);
                }

                return new TimerTriggerDefinition(bindingName, schedule, Boolean(path, at + ".runOnStartup", binding, "runOnStartup", false), Boolean(path, at + ".useMonitor", binding, "useMonitor", true));
            }

            case "QUEUETRIGGER":
            {
                var queue = Need("queueName", "the queue to listen to");
                try
                {
                    QueueServiceClient.CheckName(queue);
                    QueueServiceClient.CheckName(queue + "-poison");
                }
                catch (ArgumentException e)
                {
                    throw new FunctionDefinitionException(path, at + ".queueName", e.Message.Split(" (Parameter", 2)[0] + (queue.Length > 56 ? " (the poison queue adds '-poison': keep names to 56 characters)" : string.Empty));
                }

                return new QueueTriggerDefinition(bindingName, queue, Optional("connection") is { Length: > 0 } c ? c : "AzureWebJobsStorage", DataType(path, at, Optional("dataType")));
            }

            case "EVENTHUBTRIGGER":
            {
                var hub = Optional("eventHubName") ?? Optional("path");
                if (string.IsNullOrEmpty(hub))
                {
                    throw new FunctionDefinitionException(path, at + ".eventHubName", "is required for an eventHubTrigger: the event hub to read (e.g. \"%TicksHubName%\").");
                }

                var cardinality = (Optional("cardinality") ?? "one").ToUpperInvariant();
                if (cardinality is not ("ONE" or "MANY"))
                {
                    throw new FunctionDefinitionException(path, at + ".cardinality", $"must be \"one\" or \"many\"; got \"{cardinality.ToLowerInvariant()}\".");
                }

                var consumerGroup = Optional("consumerGroup") is { Length: > 0 } g ? g : "$Default";
                return new EventHubTriggerDefinition(bindingName, hub, consumerGroup, Optional("connection") ?? string.Empty, cardinality == "MANY", DataType(path, at, Optional("dataType")));
            }

            default:
                throw new FunctionDefinitionException(path, at + ".type", $"the trigger type \"{type}\" is not supported by sigmaflow serve; supported: {string.Join(", ", SupportedTriggerTypes)}.");
        }
    }

    private static RetryPolicy ReadRetry(string path, JsonElement retry)
    {
        if (retry.ValueKind != JsonValueKind.Object)
        {
            throw new FunctionDefinitionException(path, "retry", $"must be an object such as {{\"strategy\":\"fixedDelay\",\"maxRetryCount\":3,\"delayInterval\":\"00:00:05\"}}; got {retry.ValueKind}.");
        }

        var strategyText = Property(retry, "strategy") is { } s ? String(path, "retry.strategy", s) : throw new FunctionDefinitionException(path, "retry.strategy", "is required: \"fixedDelay\" or \"exponentialBackoff\".");
        var strategy = strategyText.ToUpperInvariant() switch
        {
            "FIXEDDELAY" => RetryStrategy.FixedDelay,
            "EXPONENTIALBACKOFF" => RetryStrategy.ExponentialBackoff,
            _ => throw new FunctionDefinitionException(path, "retry.strategy", $"must be \"fixedDelay\" or \"exponentialBackoff\"; got \"{strategyText}\"."),
        };
        var max = Property(retry, "maxRetryCount") is { } m
            ? Integer(path, "retry.maxRetryCount", m, -1, int.MaxValue)
            : throw new FunctionDefinitionException(path, "retry.maxRetryCount", "is required: retries after the first attempt (-1 for no limit).");
        if (strategy == RetryStrategy.FixedDelay)
        {
            var delay = Property(retry, "delayInterval") is { } d
                ? Duration(path, "retry.delayInterval", d, TimeSpan.Zero)
                : throw new FunctionDefinitionException(path, "retry.delayInterval", "is required for fixedDelay: a TimeSpan such as \"00:00:05\".");
            return new RetryPolicy(strategy, max, delay, TimeSpan.Zero, TimeSpan.Zero);
        }

        var minimum = Property(retry, "minimumInterval") is { } mi
            ? Duration(path, "retry.minimumInterval", mi, TimeSpan.Zero)
            : throw new FunctionDefinitionException(path, "retry.minimumInterval", "is required for exponentialBackoff: a TimeSpan such as \"00:00:02\".");
        var maximum = Property(retry, "maximumInterval") is { } ma
            ? Duration(path, "retry.maximumInterval", ma, TimeSpan.Zero)
            : throw new FunctionDefinitionException(path, "retry.maximumInterval", "is required for exponentialBackoff: a TimeSpan such as \"00:15:00\".");
        if (maximum < minimum)
        {
            throw new FunctionDefinitionException(path, "retry.maximumInterval", string.Create(CultureInfo.InvariantCulture, $"must not be shorter than minimumInterval ({minimum:c}); got {maximum:c}."));
        }

        return new RetryPolicy(strategy, max, TimeSpan.Zero, minimum, maximum);
    }

    private static void CheckConsumerGroups(List<FunctionDefinition> functions)
    {
        var readers = new Dictionary<(string Hub, string Group), FunctionDefinition>();
        foreach (var function in functions)
        {
            if (function.Trigger is EventHubTriggerDefinition trigger)
            {
                var key = (trigger.EventHubName.ToUpperInvariant(), trigger.ConsumerGroup.ToUpperInvariant());
                if (readers.TryGetValue(key, out var other))
                {
                    throw new FunctionDefinitionException(function.FilePath, "bindings.consumerGroup", $"{other.Name} already reads event hub '{trigger.EventHubName}' with consumer group '{trigger.ConsumerGroup}'; two functions on one consumer group split the partitions between them (and each sees only part of the stream): give each function its own consumerGroup.");
                }

                readers[key] = function;
            }
        }
    }

    private static string? DataType(string path, string at, string? value) => value?.ToUpperInvariant() switch
    {
        null => null,
        "STRING" => "string",
        "BINARY" => "binary",
        _ => throw new FunctionDefinitionException(path, at + ".dataType", $"must be \"string\" or \"binary\" (or absent); got \"{value}\"."),
    };

    private static string Resolve(string path, string field, string value, Func<string, string?> readSetting) => Placeholder().Replace(value, match =>
    {
        var setting = match.Groups["name"].Value;
        return readSetting(setting) ?? throw new FunctionDefinitionException(path, field, $"refers to the setting '{setting}' (as %{setting}%), which is not set; set it in the environment (or in the settings sigmaflow serve passes to the app).");
    });

    private static JsonDocument Parse(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FunctionDefinitionException(path, string.Create(CultureInfo.InvariantCulture, $"(line {(e.LineNumber ?? 0) + 1})"), $"is not valid JSON: {e.Message}");
        }
    }

    private static JsonElement? Property(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.Null ? null : property.Value;
            }
        }

        return null;
    }

    private static string Required(string path, string field, JsonElement binding, string property) =>
        Property(binding, property) is { ValueKind: JsonValueKind.String } value && value.GetString() is { Length: > 0 } text
            ? text
            : throw new FunctionDefinitionException(path, field, $"is required: a non-empty string{(property == "direction" ? " (\"in\" or \"out\")" : string.Empty)}.");

    private static string String(string path, string field, JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? value.GetString()! : throw new FunctionDefinitionException(path, field, $"must be a string; got {Show(value)}.");

    private static bool Boolean(string path, string field, JsonElement binding, string property, bool defaultValue) => Property(binding, property) switch
    {
        null => defaultValue,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } s when bool.TryParse(s.GetString(), out var b) => b,
        var other => throw new FunctionDefinitionException(path, field, $"must be true or false; got {Show(other)}."),
    };

    private static int Integer(string path, string field, JsonElement value, int min, int max)
    {
        var ok = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt32(out var n) ? n : (int?)null,
            JsonValueKind.String => int.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null,
            _ => null,
        };
        return ok is { } v && v >= min && v <= max
            ? v
            : throw new FunctionDefinitionException(path, field, string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}; got {Show(value)}."));
    }

    private static TimeSpan Duration(string path, string field, JsonElement value, TimeSpan min)
    {
        TimeSpan? parsed = value.ValueKind switch
        {
            JsonValueKind.String => TimeSpan.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var t) ? t : null,
            JsonValueKind.Number => value.TryGetInt64(out var ms) ? TimeSpan.FromMilliseconds(ms) : null,
            _ => null,
        };
        return parsed is { } p && p >= min
            ? p
            : throw new FunctionDefinitionException(path, field, string.Create(CultureInfo.InvariantCulture, $"must be a TimeSpan such as \"00:00:05\" (hh:mm:ss), at least {min:c}; got {Show(value)}."));
    }

    private static bool IsTrue(string? value) => value is not null && (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1");

    private static string Show(JsonElement? value) => value is { } v ? (v.GetRawText() is { Length: <= 80 } raw ? raw : v.GetRawText()[..77] + "…") : "nothing";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex FunctionName();

    [GeneratedRegex("%(?<name>[^%]+)%")]
    private static partial Regex Placeholder();
}
