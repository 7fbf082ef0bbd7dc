using SigmaFlow.Functions.Local.Runtime;
using SigmaFlow.Platform.Azure.Queues;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>Loading host.json and function.json: what is read, the host's defaults, and clear errors naming file and field.</summary>
public sealed class FunctionAppDefinitionTests
{
    private const string Ingest = """
        { "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "events", "eventHubName": "%TicksHubName%",
            "consumerGroup": "ingest", "connection": "EventHubConnection", "cardinality": "many", "dataType": "string" } ],
          "retry": { "strategy": "exponentialBackoff", "maxRetryCount": 5, "minimumInterval": "00:00:01", "maximumInterval": "00:00:30" } }
        """;

    [Fact]
    public void Load_TheRepositoryApp_ReadsEveryFolderAndHostJson()
    {
        var root = Path.Combine(LocalEmulator.RepositoryRoot()!, "functions");
        var hostJson = File.ReadAllText(Path.Combine(LocalEmulator.RepositoryRoot()!, "host.json"));
        using var app = TestApp.Create(hostJson, Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .Select(d => (Path.GetFileName(d), File.ReadAllText(Path.Combine(d, "function.json"))))
            .ToArray());
        var definition = app.Load();
        Assert.Equal("api", definition.Host.RoutePrefix);
        Assert.Equal(QueueMessageEncoding.None, definition.Host.Queues.MessageEncoding);
        Assert.Equal(5, definition.Host.Queues.MaxDequeueCount);
        Assert.Equal(16, definition.Host.Queues.BatchSize);
        Assert.Equal(256, definition.Host.EventHubs.MaxEventBatchSize);
        var health = Assert.IsType<HttpTriggerDefinition>(definition.Find("Health")!.Trigger);
        Assert.Equal("health", health.Route);
        Assert.Equal(["GET"], health.Methods);
        Assert.True(definition.Find("health")!.IsHttpOnly);
    }

    [Fact]
    public void Load_EventHubFunction_ResolvesSettings_AndReadsTheRetryPolicy()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("IngestTicks", Ingest));
        var function = Assert.Single(app.Load(TestApp.Settings(("TicksHubName", "ticks-dev"))).Functions);
        var trigger = Assert.IsType<EventHubTriggerDefinition>(function.Trigger);
        Assert.Equal(("events", "ticks-dev", "ingest", "EventHubConnection", true, "string"), (trigger.BindingName, trigger.EventHubName, trigger.ConsumerGroup, trigger.Connection, trigger.ManyEvents, trigger.DataType));
        Assert.Equal(new RetryPolicy(RetryStrategy.ExponentialBackoff, 5, TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30)), function.Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), function.Retry!.DelayBefore(1));
        Assert.Equal(TimeSpan.FromSeconds(8), function.Retry.DelayBefore(4));
        Assert.Equal(TimeSpan.FromSeconds(30), function.Retry.DelayBefore(6));
        Assert.True(function.Retry.AllowsRetry(4));
        Assert.False(function.Retry.AllowsRetry(5));
    }

    [Fact]
    public void Load_Defaults_AreTheHosts()
    {
        using var app = TestApp.Create(
            """{ "version": "2.0" }""",
            ("Scan", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "timer", "schedule": "0 */5 * * * *" } ] }"""),
            ("Shard", """{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "msg", "queueName": "sweep-shards" } ] }"""),
            ("Read", """{ "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "e", "eventHubName": "ticks" } ] }"""),
            ("Api", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req" }, { "type": "http", "direction": "out", "name": "$return" } ] }"""));
        var definition = app.Load(_ => null);
        Assert.Equal(new HostSettings(), definition.Host with { Queues = new QueueHostSettings(), EventHubs = new EventHubsHostSettings() });
        Assert.Equal((16, 8, 5, TimeSpan.FromMinutes(1), TimeSpan.Zero, QueueMessageEncoding.Base64), (definition.Host.Queues.BatchSize, definition.Host.Queues.EffectiveNewBatchThreshold, definition.Host.Queues.MaxDequeueCount, definition.Host.Queues.MaxPollingInterval, definition.Host.Queues.VisibilityTimeout, definition.Host.Queues.MessageEncoding));
        Assert.Equal((100, 1, InitialOffset.FromStart), (definition.Host.EventHubs.MaxEventBatchSize, definition.Host.EventHubs.BatchCheckpointFrequency, definition.Host.EventHubs.InitialOffset));
        var timer = Assert.IsType<TimerTriggerDefinition>(definition.Find("Scan")!.Trigger);
        Assert.False(timer.RunOnStartup);
        Assert.True(timer.UseMonitor);
        var queue = Assert.IsType<QueueTriggerDefinition>(definition.Find("Shard")!.Trigger);
        Assert.Equal(("AzureWebJobsStorage", "sweep-shards-poison", null), (queue.Connection, queue.PoisonQueueName, queue.DataType));
        var hub = Assert.IsType<EventHubTriggerDefinition>(definition.Find("Read")!.Trigger);
        Assert.Equal(("$Default", false), (hub.ConsumerGroup, hub.ManyEvents));
        var http = Assert.IsType<HttpTriggerDefinition>(definition.Find("Api")!.Trigger);
        Assert.Equal(("Api", 0), (http.Route, http.Methods.Count));
    }

    [Fact]
    public void Load_DisabledFunctions_AreSkipped()
    {
        using var app = TestApp.Create(
            """{ "version": "2.0" }""",
            ("A", """{ "disabled": true, "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 0 * * * *" } ] }"""),
            ("B", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 0 * * * *" } ] }"""),
            ("C", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 0 * * * *" } ] }"""));
        var definition = app.Load(name => name == "AzureWebJobs.B.Disabled" ? "true" : null);
        Assert.Equal(["C"], definition.Functions.Select(f => f.Name));
        Assert.Equal(["A", "B"], definition.Disabled);
    }

    [Theory]
    [InlineData("""{ "bindings": [ { "type": "serviceBusTrigger", "direction": "in", "name": "m" } ] }""", "bindings[0].type", "the trigger type \"serviceBusTrigger\" is not supported by sigmaflow serve; supported: httpTrigger, timerTrigger, queueTrigger, eventHubTrigger.")]
    [InlineData("""{ "bindings": [ { "direction": "in", "name": "m" } ] }""", "bindings[0].type", "is required: a non-empty string.")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "schedule": "0 * * * * *" } ] }""", "bindings[0].name", "is required: a non-empty string.")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "name": "t", "schedule": "0 * * * * *" } ] }""", "bindings[0].direction", "is required: a non-empty string (\"in\" or \"out\").")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "out", "name": "t", "schedule": "0 * * * * *" } ] }""", "bindings[0].direction", "a trigger's direction must be \"in\"")]
    [InlineData("""{ "bindings": [] }""", "bindings", "is missing or empty")]
    [InlineData("""{ }""", "bindings", "is missing or empty")]
    [InlineData("""[]""", "(root)", "function.json must be a JSON object")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t" } ] }""", "bindings[0].schedule", "is required for a timerTrigger")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "* * * * *" } ] }""", "bindings[0].schedule", "did you mean '0 * * * * *'?")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "%Missing%" } ] }""", "bindings[0].schedule", "refers to the setting 'Missing' (as %Missing%), which is not set")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *", "runOnStartup": "maybe" } ] }""", "bindings[0].runOnStartup", "must be true or false; got \"maybe\".")]
    [InlineData("""{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "m" } ] }""", "bindings[0].queueName", "is required for a queueTrigger")]
    [InlineData("""{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "m", "queueName": "Bad_Queue" } ] }""", "bindings[0].queueName", "queue name must be 3-63 characters")]
    [InlineData("""{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "m", "queueName": "jobs", "dataType": "stream" } ] }""", "bindings[0].dataType", "must be \"string\" or \"binary\"")]
    [InlineData("""{ "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "e" } ] }""", "bindings[0].eventHubName", "is required for an eventHubTrigger")]
    [InlineData("""{ "bindings": [ { "type": "eventHubTrigger", "direction": "in", "name": "e", "eventHubName": "ticks", "cardinality": "all" } ] }""", "bindings[0].cardinality", "must be \"one\" or \"many\"")]
    [InlineData("""{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req" } ] }""", "bindings", "an httpTrigger needs exactly one \"http\" output binding")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" }, { "type": "queue", "direction": "out", "name": "q", "queueName": "x" } ] }""", "bindings[1].type", "the out binding type \"queue\" is not run by sigmaflow serve")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" }, { "type": "queueTrigger", "direction": "in", "name": "m", "queueName": "jobs" } ] }""", "bindings[1].type", "a function has exactly one trigger; bindings[0] is already a timerTrigger.")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" } ], "retry": { "strategy": "linear", "maxRetryCount": 1 } }""", "retry.strategy", "must be \"fixedDelay\" or \"exponentialBackoff\"; got \"linear\".")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" } ], "retry": { "strategy": "fixedDelay", "maxRetryCount": 1 } }""", "retry.delayInterval", "is required for fixedDelay")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" } ], "retry": { "strategy": "fixedDelay", "maxRetryCount": -2, "delayInterval": "00:00:01" } }""", "retry.maxRetryCount", "must be a whole number from -1 to")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" } ], "retry": { "strategy": "exponentialBackoff", "maxRetryCount": 1, "minimumInterval": "00:01:00", "maximumInterval": "00:00:01" } }""", "retry.maximumInterval", "must not be shorter than minimumInterval (00:01:00)")]
    [InlineData("""{ "bindings": [ { "type": "queueTrigger", "direction": "in", "name": "m", "queueName": "jobs" } ], "retry": { "strategy": "fixedDelay", "maxRetryCount": 1, "delayInterval": "00:00:01" } }""", "retry", "retry policies apply to timer and Event Hubs triggers")]
    [InlineData("""{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *", } ], // comments and trailing commas are fine""" + "\n" + """ "retry": { "strategy": "fixedDelay" "maxRetryCount": 1 } }""", "(line 2)", "is not valid JSON")]
    public void Load_InvalidFunctionJson_NamesTheFileAndField(string functionJson, string field, string fragment)
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("Broken", functionJson));
        var e = Assert.Throws<FunctionDefinitionException>(() => app.Load(TestApp.Settings()));
        Assert.Equal(Path.Combine(app.Root, "Broken", "function.json"), e.FilePath);
        Assert.Equal(field, e.Field);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"{e.FilePath}: {field}: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "version": "1.0" }""", "version", "must be \"2.0\"")]
    [InlineData("""{ }""", "version", "must be \"2.0\" (the Functions v4 host's schema); got nothing.")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 64 } } }""", "extensions.queues.batchSize", "must be a whole number from 1 to 32; got 64.")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "messageEncoding": "utf8" } } }""", "extensions.queues.messageEncoding", "must be \"base64\" or \"none\"")]
    [InlineData("""{ "version": "2.0", "extensions": { "queues": { "maxPollingInterval": "soon" } } }""", "extensions.queues.maxPollingInterval", "must be a TimeSpan such as \"00:00:05\"")]
    [InlineData("""{ "version": "2.0", "extensions": { "eventHubs": { "maxEventBatchSize": 0 } } }""", "extensions.eventHubs.maxEventBatchSize", "must be a whole number from 1 to 100000; got 0.")]
    [InlineData("""{ "version": "2.0", "extensions": { "eventHubs": { "initialOffsetOptions": { "type": "fromEnqueuedTime" } } } }""", "extensions.eventHubs.initialOffsetOptions.type", "\"fromEnqueuedTime\" is not supported by sigmaflow serve")]
    [InlineData("""{ "version": "2.0", "functionTimeout": "forever" }""", "functionTimeout", "must be a TimeSpan")]
    public void Load_InvalidHostJson_NamesTheField(string hostJson, string field, string fragment)
    {
        using var app = TestApp.Create(hostJson);
        var e = Assert.Throws<FunctionDefinitionException>(() => app.Load());
        Assert.Equal(Path.Combine(app.Root, "host.json"), e.FilePath);
        Assert.Equal(field, e.Field);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingHostJson_SaysWhatTheAppRootMustHold()
    {
        var empty = Directory.CreateTempSubdirectory("sigmaflow-empty-");
        try
        {
            var e = Assert.Throws<FunctionDefinitionException>(() => FunctionAppDefinition.Load(empty.FullName, _ => null));
            Assert.Contains("host.json is missing; the app root must hold host.json and one folder per function (pass --app-root).", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void Load_TwoFunctionsOnOneConsumerGroup_IsRefused()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("A", Ingest), ("B", Ingest));
        var e = Assert.Throws<FunctionDefinitionException>(() => app.Load());
        Assert.Contains("A already reads event hub 'ticks' with consumer group 'ingest'", e.Message, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("B", "function.json"), e.FilePath, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadFolderName_IsRefused()
    {
        using var app = TestApp.Create(TestApp.DefaultHost, ("9lives", """{ "bindings": [ { "type": "timerTrigger", "direction": "in", "name": "t", "schedule": "0 * * * * *" } ] }"""));
        var e = Assert.Throws<FunctionDefinitionException>(() => app.Load());
        Assert.Contains("the function name '9lives' must start with a letter", e.Message, StringComparison.Ordinal);
    }
}
