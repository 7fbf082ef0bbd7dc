using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Live;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Infra;

/// <summary>
/// What can be checked about the Bicep without a Bicep compiler or Azure: every setting, table, queue, container,
/// hub and consumer group the code uses is declared; modules get the parameters they declare; no secret is committed.
/// </summary>
public sealed partial class BicepTests
{
    private static readonly string Root = LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("the repository root (with Serverless.sln) was not found above the test's folder");
    private static readonly string Main = File.ReadAllText(Path.Combine(Root, "infra", "main.bicep"));

    [Fact]
    public void EverySettingTheCodeReadsIsAnAppSetting()
    {
        var settings = ObjectKeys(Main, "appSettings");
        foreach (var name in PlatformSettings.Names)
        {
            Assert.True(settings.Any(s => s == name || s.StartsWith(name + "__", StringComparison.Ordinal)), $"setting '{name}' (PlatformSettings.Names) is not in main.bicep's appSettings");
        }

        // Settings function.json files refer to: %Setting% placeholders and trigger connections.
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "functions"), "function.json", SearchOption.AllDirectories).Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (Match placeholder in Placeholder().Matches(text))
            {
                Assert.True(settings.Contains(placeholder.Groups[1].Value), $"{Path.GetRelativePath(Root, file)} uses %{placeholder.Groups[1].Value}%, which main.bicep does not set");
            }

            foreach (var binding in JsonNode.Parse(text)!["bindings"]!.AsArray())
            {
                if ((string?)binding!["connection"] is { } connection)
                {
                    Assert.True(settings.Any(s => s == connection || s.StartsWith(connection + "__", StringComparison.Ordinal)), $"{Path.GetRelativePath(Root, file)} connects with '{connection}', which main.bicep does not set");
                }
            }
        }
    }

    [Fact]
    public void EveryTableQueueAndContainerTheCodeUsesIsDeclared()
    {
        var tables = ArrayItems(Main, "tableNames");
        var queues = ArrayItems(Main, "queueNames");
        var containers = ArrayItems(Main, "cosmosContainers");
        var named = typeof(LiveNames).Assembly.GetTypes().Where(t => t.IsPublic && t.Name.EndsWith("Names", StringComparison.Ordinal))
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral && f.FieldType == typeof(string)).Select(f => (Type: t.Name, Field: f.Name, Value: (string)f.GetRawConstantValue()!)))
            .ToList();
        Assert.Contains(named, n => n.Field == "BarsTable");
        foreach (var (type, field, value) in named)
        {
            if (field.EndsWith("Table", StringComparison.Ordinal))
            {
                Assert.True(tables.Contains(value), $"table '{value}' ({type}.{field}) is not in main.bicep's tableNames");
            }
            else if (field.EndsWith("Queue", StringComparison.Ordinal))
            {
                Assert.True(queues.Contains(value), $"queue '{value}' ({type}.{field}) is not in main.bicep's queueNames");
            }
            else if (field.EndsWith("Container", StringComparison.Ordinal))
            {
                Assert.True(containers.Contains(value), $"Cosmos container '{value}' ({type}.{field}) is not in main.bicep's cosmosContainers");
            }
        }

        // Queue triggers: their queue and its poison queue.
        foreach (var file in FunctionFiles())
        {
            foreach (var binding in JsonNode.Parse(File.ReadAllText(file))!["bindings"]!.AsArray())
            {
                if ((string?)binding!["type"] == "queueTrigger")
                {
                    var queue = (string)binding["queueName"]!;
                    Assert.True(queues.Contains(queue) && queues.Contains(queue + "-poison"), $"queue '{queue}' and '{queue}-poison' ({Path.GetRelativePath(Root, file)}) must both be in queueNames");
                }

                if ((string?)binding["type"] == "eventHubTrigger")
                {
                    Assert.Contains((string)binding["consumerGroup"]!, ArrayItems(Main, "consumerGroups"));
                }
            }
        }
    }

    [Fact]
    public void HubAndDatabaseNamesAreThePlatformDefaults()
    {
        var defaults = new PlatformSettings { Read = _ => null };
        Assert.Equal(defaults.TicksHubName, Value(Main, "ticksHub"));
        Assert.Equal(defaults.PushHubName, Value(Main, "pushHub"));
        Assert.Equal(defaults.CosmosDatabaseName, Value(Main, "cosmosDatabase"));
    }

    [Fact]
    public void ModulesGetExactlyTheParametersTheyDeclare()
    {
        foreach (Match module in ModuleBlock().Matches(Main))
        {
            var path = Path.Combine(Root, "infra", module.Groups["path"].Value);
            Assert.True(File.Exists(path), $"module {module.Groups["path"].Value} does not exist");
            var declared = ModuleParameter().Matches(File.ReadAllText(path)).ToDictionary(m => m.Groups["name"].Value, m => m.Groups["default"].Success);
            var passed = ObjectKeys(module.Groups["body"].Value, "params");
            foreach (var name in passed)
            {
                Assert.True(declared.ContainsKey(name), $"main.bicep passes '{name}' to {module.Groups["path"].Value}, which has no such parameter");
            }

            foreach (var (name, hasDefault) in declared)
            {
                Assert.True(hasDefault || passed.Contains(name), $"{module.Groups["path"].Value} needs parameter '{name}', which main.bicep does not pass");
            }
        }
    }

    [Fact]
    public void NoSecretIsCommittedAndKeysAreDisabled()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Root, "infra"), "*", SearchOption.AllDirectories).Where(f => !f.Contains("node_modules", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}.", StringComparison.Ordinal) && (f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".sh", StringComparison.Ordinal))))
        {
            var text = File.ReadAllText(file);
            Assert.False(Secret().IsMatch(text), $"{Path.GetRelativePath(Root, file)} contains what looks like a key or secret: {Secret().Match(text).Value}");
        }

        var modules = string.Join('\n', Directory.GetFiles(Path.Combine(Root, "infra", "modules"), "*.bicep").Select(File.ReadAllText));
        Assert.Contains("allowSharedKeyAccess: false", modules, StringComparison.Ordinal);
        Assert.Equal(4, Regex.Count(modules, "disableLocalAuth: true")); // Event Hubs, Web PubSub, Cosmos, OpenAI
        Assert.Contains("DisableLocalAuth: true", modules, StringComparison.Ordinal); // Application Insights
        Assert.Contains("type: 'SystemAssigned'", modules, StringComparison.Ordinal);
    }

    private static IEnumerable<string> FunctionFiles() =>
        Directory.GetDirectories(Path.Combine(Root, "functions")).Select(d => Path.Combine(d, "function.json")).Where(File.Exists);

    private static List<string> ArrayItems(string bicep, string variable)
    {
        var block = Regex.Match(bicep, $@"var {variable} = \[(?<items>.*?)\n\]", RegexOptions.Singleline);
        Assert.True(block.Success, $"main.bicep has no 'var {variable} = [ … ]'");
        return Regex.Matches(block.Groups["items"].Value, @"(?:name: )?'(?<v>[^']+)'").Where(m => !m.Value.StartsWith("partitionKey", StringComparison.Ordinal)).Select(m => m.Groups["v"].Value).Where(v => !v.StartsWith('/')).ToList();
    }

    private static List<string> ObjectKeys(string bicep, string name)
    {
        var block = Regex.Match(bicep, $@"{name}(?: =|:) \{{(?<body>.*?)\n\s*\}}", RegexOptions.Singleline);
        Assert.True(block.Success, $"no '{name}' object");
        return Regex.Matches(block.Groups["body"].Value, @"^\s*(?<key>[A-Za-z_][A-Za-z0-9_]*):", RegexOptions.Multiline).Select(m => m.Groups["key"].Value).ToList();
    }

    private static string Value(string bicep, string variable) => Regex.Match(bicep, $@"var {variable} = '(?<v>[^']*)'").Groups["v"].Value;

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"module \w+ '(?<path>[^']+)' = (?:if \([^)]*\) )?\{(?<body>.*?)\n\}", RegexOptions.Singleline)]
    private static partial Regex ModuleBlock();

    [GeneratedRegex(@"^param (?<name>\w+) [\w.]+(?<default> =)?", RegexOptions.Multiline)]
    private static partial Regex ModuleParameter();

    [GeneratedRegex(@"(AccountKey|SharedAccessKey|AccessKey)=[A-Za-z0-9+/]{20,}|sfk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}|-----BEGIN [A-Z ]*PRIVATE KEY-----")]
    private static partial Regex Secret();
}
