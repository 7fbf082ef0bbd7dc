using System.Text;
using System.Text.Json.Nodes;
using SigmaFlow.Platform.Workspace;
using SigmaFlow.Tests.Emulators;

namespace SigmaFlow.Functions.Tests.Api;

/// <summary>What every endpoint goes through: keys and scopes, the principal header, rate limits, request ids, body rules, idempotency, problems.</summary>
public sealed class ApiPipelineTests(AzuriteEmulator azurite) : ApiTestBase(azurite)
{
    [Fact]
    public async Task NoKeyIsUnauthorizedWithTheHeaderNamed()
    {
        var response = await Host.GetAsync("api/strategies", null);
        response.FieldError(401, "header.x-api-key");
        Assert.Equal("ApiKey header=\"x-api-key\"", response.Header("WWW-Authenticate"));
    }

    [Fact]
    public async Task AWrongKeyIsUnauthorizedAndNeverEchoedWhole()
    {
        var wrong = Host.ReadKey[..^4] + "AAAA";
        var response = await Host.GetAsync("api/strategies", wrong);
        var error = response.FieldError(401, "header.x-api-key");
        Assert.DoesNotContain(wrong, response.Body, StringComparison.Ordinal);
        Assert.EndsWith("…", (string?)error["value"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadKeyCannotWriteAndSaysWhichScopeIsNeeded()
    {
        var response = await Host.PostAsync("api/watchlists", Host.ReadKey, new { id = ApiTestHost.Unique("w"), symbols = ApiTestHost.Symbols("BTCUSD") });
        var problem = response.Problem(403);
        Assert.Contains("'trade'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.Equal(403, (await Host.GetAsync("api/keys", Host.TradeKey)).Status);
        Assert.Equal(200, (await Host.GetAsync("api/keys", Host.AdminKey)).Status);
    }

    [Fact]
    public async Task ARevokedKeyStopsWorking()
    {
        var made = await Host.Services.Keys!.CreateAsync("soon revoked", ApiScope.Read, cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(200, (await Host.GetAsync("api/me", made.Key)).Status);
        var revoke = await Host.SendAsync(HttpMethod.Delete, "api/keys/" + made.Record.Id, Host.AdminKey);
        Assert.Equal(200, revoke.Status);
        Assert.NotNull((string?)revoke.Json["revokedAt"]);
        (await Host.GetAsync("api/me", made.Key)).Problem(401);
    }

    [Fact]
    public async Task TheRequestIdIsEchoedOrMadeAndAppearsInProblems()
    {
        var sent = await Host.SendAsync(HttpMethod.Get, "api/strategies", null, configure: r => r.Headers.Add("x-request-id", "trace-123"));
        Assert.Equal("trace-123", sent.Header("x-request-id"));
        Assert.Equal("trace-123", (string?)sent.Problem(401)["requestId"]);
        var made = await Host.GetAsync("api/me", Host.ReadKey);
        Assert.Matches("^[0-9a-f]{32}$", made.Header("x-request-id"));
    }

    [Fact]
    public async Task UnknownPathsAre404AndKnownPathsWithAnotherMethod405()
    {
        var missing = await Host.GetAsync("api/no-such-thing", Host.ReadKey);
        Assert.Contains("/api/openapi.json", (string?)missing.Problem(404)["detail"], StringComparison.Ordinal);
        var wrongMethod = await Host.SendAsync(HttpMethod.Delete, "api/strategies", Host.AdminKey);
        wrongMethod.Problem(405);
        Assert.Contains("GET", wrongMethod.Header("Allow"), StringComparison.Ordinal);
        Assert.Contains("POST", wrongMethod.Header("Allow"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodiesMustBeJsonOfTheRightShapeAndSize()
    {
        var notJson = await Host.SendAsync(HttpMethod.Post, "api/strategies/validate", Host.ReadKey, configure: r => r.Content = new StringContent("document: x", Encoding.UTF8, "text/yaml"));
        notJson.FieldError(415, "header.Content-Type");

        var broken = await Host.PostAsync("api/strategies/validate", Host.ReadKey, "{\"document\": ");
        broken.Problem(400);

        var wrongType = await Host.PostAsync("api/strategies/validate", Host.ReadKey, "{\"document\": 5}");
        Assert.Equal("must be a string", (string?)wrongType.FieldError(400, "body.document")["rule"]);

        var unknownField = await Host.PostAsync("api/strategies/validate", Host.ReadKey, "{\"documnet\": \"x\"}");
        Assert.Contains("known fields: document, id, parameters", (string?)unknownField.FieldError(400, "body.documnet")["rule"], StringComparison.Ordinal);

        var empty = await Host.SendAsync(HttpMethod.Post, "api/strategies/validate", Host.ReadKey);
        empty.FieldError(400, "body");

        var huge = await Host.PostAsync("api/strategies/validate", Host.ReadKey, "{\"document\": \"" + new string('x', (1 << 20) + 10) + "\"}");
        huge.FieldError(413, "body");
    }

    [Fact]
    public async Task ACallerOverItsRateLimitGets429WithRetryAfter()
    {
        var limited = await Host.Services.Keys!.CreateAsync("limited", ApiScope.Read, 2, TestContext.Current.CancellationToken);
        Assert.Equal(200, (await Host.GetAsync("api/me", limited.Key)).Status);
        Assert.Equal(200, (await Host.GetAsync("api/me", limited.Key)).Status);
        var third = await Host.GetAsync("api/me", limited.Key);
        third.Problem(429);
        Assert.True(int.TryParse(third.Header("Retry-After"), out var seconds) && seconds >= 1, third.Header("Retry-After"));

        // Another caller is not affected.
        Assert.Equal(200, (await Host.GetAsync("api/me", Host.ReadKey)).Status);
    }

    [Fact]
    public async Task AnIdempotencyKeyReplaysTheFirstResponseAndRefusesADifferentBody()
    {
        var id = ApiTestHost.Unique("idem");
        var body = new { id, document = StrategyEndpointTests.SmaCross };
        var key = Guid.NewGuid().ToString();
        var first = await Host.PostAsync("api/strategies", Host.TradeKey, body, r => r.Headers.Add("Idempotency-Key", key));
        Assert.Equal(201, first.Status);
        Assert.Null(first.Header("Idempotent-Replayed"));

        var again = await Host.PostAsync("api/strategies", Host.TradeKey, body, r => r.Headers.Add("Idempotency-Key", key));
        Assert.Equal(201, again.Status);
        Assert.Equal("true", again.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, again.Body);

        // Without the key, the same request is a new one: the strategy exists.
        (await Host.PostAsync("api/strategies", Host.TradeKey, body)).Problem(409);

        var other = await Host.PostAsync("api/strategies", Host.TradeKey, new { id = id + "-2", document = StrategyEndpointTests.SmaCross }, r => r.Headers.Add("Idempotency-Key", key));
        other.FieldError(422, "header.Idempotency-Key");

        // Keys belong to their caller: the admin key's same Idempotency-Key is a different request space.
        var admin = await Host.PostAsync("api/strategies", Host.AdminKey, new { id = id + "-3", document = StrategyEndpointTests.SmaCross }, r => r.Headers.Add("Idempotency-Key", key));
        Assert.Equal(201, admin.Status);
    }

    [Fact]
    public async Task AFailedValidationIsReplayedButAStorageStateIsNotGuessed()
    {
        var key = Guid.NewGuid().ToString();
        var bad = new { id = ApiTestHost.Unique("idem"), document = "name: x\nlong:\n  entry: close >\n" };
        var first = await Host.PostAsync("api/strategies", Host.TradeKey, bad, r => r.Headers.Add("Idempotency-Key", key));
        first.Problem(422);
        var again = await Host.PostAsync("api/strategies", Host.TradeKey, bad, r => r.Headers.Add("Idempotency-Key", key));
        Assert.Equal("true", again.Header("Idempotent-Replayed"));
        Assert.Equal(first.Body, again.Body);
    }

    [Fact]
    public async Task AStartedRequestBlocksItsKeyUntilItCompletes()
    {
        var store = Host.Services.Idempotency!;
        var key = Guid.NewGuid().ToString();
        var fingerprint = IdempotencyStore.Fingerprint("POST", "/api/x", "{}"u8);
        Assert.Equal(IdempotencyState.Started, (await store.BeginAsync("caller", key, fingerprint, TestContext.Current.CancellationToken)).State);
        Assert.Equal(IdempotencyState.InProgress, (await store.BeginAsync("caller", key, fingerprint, TestContext.Current.CancellationToken)).State);
        Assert.Equal(IdempotencyState.Mismatch, (await store.BeginAsync("caller", key, IdempotencyStore.Fingerprint("POST", "/api/y", "{}"u8), TestContext.Current.CancellationToken)).State);
        await store.AbandonAsync("caller", key, TestContext.Current.CancellationToken);
        Assert.Equal(IdempotencyState.Started, (await store.BeginAsync("caller", key, fingerprint, TestContext.Current.CancellationToken)).State);
        await store.CompleteAsync("caller", key, fingerprint, new StoredResponse(202, "application/json", "{\"ok\":1}", "/api/jobs/1"), TestContext.Current.CancellationToken);
        var replay = await store.BeginAsync("caller", key, fingerprint, TestContext.Current.CancellationToken);
        Assert.Equal(IdempotencyState.Replay, replay.State);
        Assert.Equal(new StoredResponse(202, "application/json", "{\"ok\":1}", "/api/jobs/1"), replay.Response);
    }

    [Fact]
    public async Task ThePrincipalHeaderIsIgnoredUnlessEnabled()
    {
        var principal = Principal("user-1", "sigmaflow.trade");
        var ignored = await Host.SendAsync(HttpMethod.Get, "api/me", null, configure: r => r.Headers.Add("x-ms-client-principal", principal));
        ignored.Problem(401);

        await using var trusting = await ApiTestHost.StartAsync(Azurite, acceptPrincipalHeader: true);
        var me = await trusting.SendAsync(HttpMethod.Get, "api/me", null, configure: r => r.Headers.Add("x-ms-client-principal", principal));
        Assert.Equal(200, me.Status);
        Assert.Equal("principal:user-1", (string?)me.Json["id"]);
        Assert.Equal("trade", (string?)me.Json["scope"]);

        var reader = await trusting.SendAsync(HttpMethod.Get, "api/keys", null, configure: r => r.Headers.Add("x-ms-client-principal", Principal("user-2")));
        reader.Problem(403);

        var garbage = await trusting.SendAsync(HttpMethod.Get, "api/me", null, configure: r => r.Headers.Add("x-ms-client-principal", "not base64 json"));
        garbage.FieldError(401, "header.x-ms-client-principal");
    }

    private static string Principal(string id, params string[] roles)
    {
        var claims = new JsonArray(new JsonObject { ["typ"] = "http://schemas.microsoft.com/identity/claims/objectidentifier", ["val"] = id }, new JsonObject { ["typ"] = "name", ["val"] = "Test User" });
        foreach (var role in roles)
        {
            claims.Add(new JsonObject { ["typ"] = "roles", ["val"] = role });
        }

        var document = new JsonObject { ["auth_typ"] = "aad", ["name_typ"] = "name", ["role_typ"] = "roles", ["claims"] = claims };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(document.ToJsonString()));
    }
}
