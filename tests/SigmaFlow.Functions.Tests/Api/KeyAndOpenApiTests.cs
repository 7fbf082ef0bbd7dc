using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>API keys through the API, and the OpenAPI document that describes every endpoint.</summary>
public sealed class KeyAndOpenApiTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    [Fact]
    public async Task AnAdminMakesAKeyThatIsShownOnceAndWorksAtItsScope()
    {
        var made = await Host.PostAsync("api/keys", Host.AdminKey, new { name = "dashboard", scope = "trade", rateLimitPerMinute = 120 });
        Assert.Equal(201, made.Status);
        var key = (string)made.Json["key"]!;
        Assert.Matches("^sfk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$", key);
        var id = (string)made.Json["record"]!["id"]!;

        var me = await Host.GetAsync("api/me", key);
        Assert.Equal("trade", (string?)me.Json["scope"]);
        Assert.Equal(120, (int)me.Json["rateLimitPerMinute"]!);

        var list = await Host.GetAsync("api/keys", Host.AdminKey);
        Assert.Contains(list.Json["items"]!.AsArray(), k => (string?)k!["id"] == id);
        Assert.DoesNotContain(key[(4 + 12 + 1)..], list.Body, StringComparison.Ordinal);

        (await Host.SendAsync(HttpMethod.Delete, "api/keys/nope", Host.AdminKey)).Problem(404);
    }

    [Fact]
    public async Task KeyRequestsAreValidated()
    {
        var problem = (await Host.PostAsync("api/keys", Host.AdminKey, new { name = "", rateLimitPerMinute = 0 })).Problem(422);
        Assert.Equal(["body.name", "body.scope", "body.rateLimitPerMinute"], problem["errors"]!.AsArray().Select(e => (string)e!["field"]!));
        Assert.Contains("read, trade, admin", (string?)(await Host.PostAsync("api/keys", Host.AdminKey, "{\"name\":\"x\",\"scope\":\"root\"}")).FieldError(400, "body.scope")["rule"], StringComparison.Ordinal);
        (await Host.PostAsync("api/keys", Host.TradeKey, new { name = "x", scope = "admin" })).Problem(403);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryEndpointAndIsPublic()
    {
        var response = await Host.GetAsync("api/openapi.json", null);
        Assert.Equal(200, response.Status);
        var document = response.Json;
        Assert.Equal("3.1.0", (string?)document["openapi"]);
        var paths = document["paths"]!.AsObject();
        foreach (var (path, method) in new[] { ("/api/strategies", "post"), ("/api/strategies/{id}", "put"), ("/api/strategies/{id}/versions/{version}", "get"), ("/api/watchlists/{id}", "delete"), ("/api/markets/{symbol}/bars", "get"), ("/api/negotiate", "get"), ("/api/keys", "post") })
        {
            Assert.True(paths[path]?[method] is not null, $"{method} {path} is missing");
        }

        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var (_, item) in paths)
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                Assert.False(string.IsNullOrEmpty((string?)operation!["summary"]), method);
                foreach (var reference in operation.ToJsonString().Split("\"$ref\":\"#/components/schemas/").Skip(1).Select(s => s[..s.IndexOf('"', StringComparison.Ordinal)]))
                {
                    Assert.True(schemas.ContainsKey(reference), $"schema {reference} is referenced but not defined");
                }
            }
        }

        Assert.Equal("trade", (string?)paths["/api/strategies"]!["post"]!["x-scope"]);
        Assert.Contains(paths["/api/strategies"]!["post"]!["parameters"]!.AsArray(), p => (string?)p!["name"] == "Idempotency-Key");
        Assert.NotNull(schemas["StrategyInput"]!["properties"]!["document"]);

        var docs = await Host.GetAsync("api/docs", null);
        Assert.Equal("text/html", docs.MediaType);
        Assert.Contains("/api/openapi.json", docs.Body, StringComparison.Ordinal);
    }
}
