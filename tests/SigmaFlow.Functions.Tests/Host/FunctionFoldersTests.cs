using System.Text.Json;
using SigmaFlow.Functions.Host;

namespace SigmaFlow.Functions.Tests.Host;

/// <summary>Every function folder has a handler, every handler a folder, and every function.json is what the host accepts.</summary>
public sealed class FunctionFoldersTests
{
    private static readonly string[] TriggerTypes = ["httpTrigger", "timerTrigger", "queueTrigger", "eventHubTrigger"];

    [Fact]
    public void EveryFolderHasAHandler_AndEveryHandlerAFolder()
    {
        var folders = FunctionFolders();
        var app = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        var names = app.Names.Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(names);
        Assert.Equal(folders.Keys.Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public void EveryFunctionJson_HasOneTrigger_AndHttpOnlyFunctionsAreHttpHandlers()
    {
        var app = FunctionApp.Compose(new PlatformSettings { Read = _ => null }, TimeProvider.System);
        foreach (var (name, path) in FunctionFolders())
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var bindings = json.RootElement.GetProperty("bindings").EnumerateArray().ToList();
            var triggers = bindings.Where(b => TriggerTypes.Contains(b.GetProperty("type").GetString())).ToList();
            Assert.True(triggers.Count == 1, $"{name}: exactly one trigger binding");
            var httpOnly = bindings.Count == 2 && triggers[0].GetProperty("type").GetString() == "httpTrigger" && bindings.Any(b => b.GetProperty("type").GetString() == "http");
            Assert.True(httpOnly == app.HttpFunctions.Any(f => f.Name == name), $"{name}: HTTP-only functions are proxied routes, others envelope handlers");
            if (triggers[0].GetProperty("type").GetString() == "eventHubTrigger")
            {
                Assert.Equal("many", triggers[0].GetProperty("cardinality").GetString());
                Assert.Equal("string", triggers[0].GetProperty("dataType").GetString());
            }
        }
    }

    private static Dictionary<string, string> FunctionFolders()
    {
        var root = Path.Combine(SigmaFlow.Tests.Emulators.LocalEmulator.RepositoryRoot() ?? throw new InvalidOperationException("repository root not found"), "functions");
        return Directory.GetDirectories(root)
            .Select(d => (Name: Path.GetFileName(d), Json: Path.Combine(d, "function.json")))
            .Where(f => File.Exists(f.Json))
            .ToDictionary(f => f.Name, f => f.Json);
    }
}
