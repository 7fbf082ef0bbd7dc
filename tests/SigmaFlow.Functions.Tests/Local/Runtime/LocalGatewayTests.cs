using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using SigmaFlow.Functions.Local.Runtime;

namespace SigmaFlow.Functions.Tests.Local.Runtime;

/// <summary>The public HTTP port: HTTP-only functions proxied like enableProxyingHttpRequest, the dashboard, 404s.</summary>
public sealed class LocalGatewayTests : IAsyncLifetime
{
    private readonly TaskCompletionSource secondChunk = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly HttpClient client = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false });
    private TestApp? app;
    private RecordingHandler? handler;
    private WebApplication? gateway;

    private Uri Public => new(gateway!.Urls.First().TrimEnd('/') + "/");

    public async ValueTask InitializeAsync()
    {
        app = TestApp.Create(
            TestApp.DefaultHost,
            ("Echo", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "echo/{id}", "methods": [ "get", "post", "put" ] }, { "type": "http", "direction": "out", "name": "res" } ] }"""),
            ("Stream", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "stream", "methods": [ "get" ] }, { "type": "http", "direction": "out", "name": "res" } ] }"""),
            ("Moved", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "moved" }, { "type": "http", "direction": "out", "name": "res" } ] }"""));
        handler = await RecordingHandler.StartAsync(web =>
        {
            web.Map("/api/echo/{id}", async context =>
            {
                using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                context.Response.StatusCode = 201;
                context.Response.Headers["X-Reply"] = "yes";
                await context.Response.WriteAsJsonAsync(new
                {
                    method = context.Request.Method,
                    path = context.Request.Path.Value,
                    query = context.Request.QueryString.Value,
                    id = context.Request.RouteValues["id"],
                    custom = context.Request.Headers["X-Custom"].ToString(),
                    contentType = context.Request.ContentType,
                    invocationId = context.Request.Headers["X-Azure-Functions-InvocationId"].ToString(),
                    hostVersion = context.Request.Headers["X-Azure-Functions-HostVersion"].ToString(),
                    forwardedHost = context.Request.Headers["X-Forwarded-Host"].ToString(),
                    forwardedFor = context.Request.Headers["X-Forwarded-For"].ToString(),
                    body,
                }, context.RequestAborted);
            });
            web.MapGet("/api/stream", async context =>
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("first\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await secondChunk.Task.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
                await context.Response.WriteAsync("second\n", context.RequestAborted);
            });
            web.Map("/api/moved", context =>
            {
                context.Response.Redirect("/api/echo/1");
                return Task.CompletedTask;
            });
        });
        gateway = LocalGateway.Create(new LocalGatewayOptions { Url = "http://127.0.0.1:0" }, app.Load(), handler.Address);
        await gateway.StartAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await gateway!.StopAsync();
        await gateway.DisposeAsync();
        await handler!.DisposeAsync();
        app!.Dispose();
    }

    [Fact]
    public async Task Proxy_ForwardsMethodPathQueryHeadersAndBody_AndReturnsStatusHeadersAndBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Public, "api/echo/42?x=1&y=a%20b"))
        {
            Content = new StringContent("""{"hello":"world"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Custom", "abc");
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("X-Reply").Single());
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.Equal("POST", echo["method"]!.GetValue<string>());
        Assert.Equal("/api/echo/42", echo["path"]!.GetValue<string>());
        Assert.Equal("?x=1&y=a%20b", echo["query"]!.GetValue<string>());
        Assert.Equal("42", echo["id"]!.GetValue<string>());
        Assert.Equal("abc", echo["custom"]!.GetValue<string>());
        Assert.Equal("application/json; charset=utf-8", echo["contentType"]!.GetValue<string>());
        Assert.Equal("""{"hello":"world"}""", echo["body"]!.GetValue<string>());
        Assert.True(Guid.TryParse(echo["invocationId"]!.GetValue<string>(), out _));
        Assert.Equal(LocalRuntimeOptions.DefaultHostVersion, echo["hostVersion"]!.GetValue<string>());
        Assert.Equal(Public.Authority, echo["forwardedHost"]!.GetValue<string>());
        Assert.Equal("127.0.0.1", echo["forwardedFor"]!.GetValue<string>());

        using var put = await client.PutAsync(new Uri(Public, "api/echo/7"), new StringContent("x"), TestContext.Current.CancellationToken);
        Assert.Equal("PUT", JsonNode.Parse(await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["method"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("DELETE", "api/echo/42")] // a method the function does not allow: 404, as the host answers
    [InlineData("GET", "api/nothing")]
    [InlineData("GET", "api/echo")]
    [InlineData("GET", "api")]
    [InlineData("GET", "no-such-page")]
    public async Task NotAFunctionRoute_Is404(string method, string path)
    {
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(Public, path)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Empty(handler!.Calls);
    }

    [Fact]
    public async Task Proxy_StreamsTheResponseAsItIsWritten()
    {
        using var response = await client.GetAsync(new Uri(Public, "api/stream"), HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        // The first chunk arrives while the handler still waits to write the second one.
        Assert.Equal("first", await reader.ReadLineAsync(TestContext.Current.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        secondChunk.SetResult();
        Assert.Equal("second", await reader.ReadLineAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Proxy_DoesNotFollowRedirects()
    {
        using var response = await client.GetAsync(new Uri(Public, "api/moved"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/api/echo/1", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task IndexPage_ListsTheLinksAndFunctions_WhenThereIsNoDashboard()
    {
        var html = await client.GetStringAsync(Public, TestContext.Current.CancellationToken);
        Assert.Contains("static-web/dist", html, StringComparison.Ordinal);
        Assert.Contains("HTTP GET,POST,PUT /api/echo/{id}", html, StringComparison.Ordinal);
        var status = JsonNode.Parse(await client.GetStringAsync(new Uri(Public, "admin/host/status"), TestContext.Current.CancellationToken))!;
        Assert.Equal("Running", status["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Dashboard_IsServedWithASinglePageAppFallback_AndTheApiStaysProxied()
    {
        var dist = Directory.CreateTempSubdirectory("sigmaflow-dist-");
        await File.WriteAllTextAsync(Path.Combine(dist.FullName, "index.html"), "<html>dashboard</html>", TestContext.Current.CancellationToken);
        Directory.CreateDirectory(Path.Combine(dist.FullName, "assets"));
        await File.WriteAllTextAsync(Path.Combine(dist.FullName, "assets", "app.js"), "console.log(1)", TestContext.Current.CancellationToken);
        var withDashboard = LocalGateway.Create(new LocalGatewayOptions { Url = "http://127.0.0.1:0", DashboardRoot = dist.FullName }, app!.Load(), handler!.Address);
        await withDashboard.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var root = new Uri(withDashboard.Urls.First().TrimEnd('/') + "/");
            Assert.Equal("<html>dashboard</html>", await client.GetStringAsync(root, TestContext.Current.CancellationToken));
            using var script = await client.GetAsync(new Uri(root, "assets/app.js"), TestContext.Current.CancellationToken);
            Assert.Equal("text/javascript", script.Content.Headers.ContentType!.MediaType);
            Assert.Equal("<html>dashboard</html>", await client.GetStringAsync(new Uri(root, "backtests/42"), TestContext.Current.CancellationToken));
            using var missing = await client.GetAsync(new Uri(root, "api/missing"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using var echo = await client.GetAsync(new Uri(root, "api/echo/5"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.Created, echo.StatusCode);
        }
        finally
        {
            await withDashboard.StopAsync(TestContext.Current.CancellationToken);
            await withDashboard.DisposeAsync();
            dist.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task HandlerDown_Answers502()
    {
        var down = LocalGateway.Create(new LocalGatewayOptions { Url = "http://127.0.0.1:0" }, app!.Load(), new Uri("http://127.0.0.1:1/"));
        await down.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            using var response = await client.GetAsync(new Uri(down.Urls.First().TrimEnd('/') + "/api/echo/1"), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
            Assert.Contains("could not be reached", await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        finally
        {
            await down.StopAsync(TestContext.Current.CancellationToken);
            await down.DisposeAsync();
        }
    }

    [Fact]
    public void BadRouteTemplate_NamesTheFunctionFile()
    {
        using var broken = TestApp.Create(TestApp.DefaultHost, ("Bad", """{ "bindings": [ { "type": "httpTrigger", "direction": "in", "name": "req", "route": "items/{id" }, { "type": "http", "direction": "out", "name": "res" } ] }"""));
        var e = Assert.Throws<FunctionDefinitionException>(() => LocalGateway.Create(new LocalGatewayOptions { Url = "http://127.0.0.1:0" }, broken.Load(), handler!.Address));
        Assert.Equal("bindings.route", e.Field);
        Assert.Contains("'items/{id' is not a valid route template", e.Message, StringComparison.Ordinal);
    }
}
