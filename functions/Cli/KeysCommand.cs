using System.Globalization;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Cli;

/// <summary>
/// <c>sigmaflow keys create|list|revoke</c>: the HTTP API's keys, straight in storage (<c>AzureWebJobsStorage</c>, or
/// the emulators' <c>SIGMAFLOW_STORAGE</c>). The way to make the first admin key for a deployment, or another
/// development key when the one printed by the first local start is lost.
/// </summary>
internal static class KeysCommand
{
    public static async Task<int> RunAsync(CliArguments args, TextWriter stdout, CancellationToken cancellationToken)
    {
        var action = args.Positional.Count > 0 ? args.Positional[0] : throw new CliUsageException("keys needs an action: create, list or revoke.");
        var name = args.Value("name");
        var scopeText = args.Value("scope") ?? "read";
        var rate = args.Int("rate-limit", ApiKeyStore.DefaultRateLimitPerMinute, 1, 100_000);
        var id = args.Value("id");
        args.RejectUnknown("keys");
        var environment = PlatformSettings.FromEnvironment();
        var local = Environment.GetEnvironmentVariable("SIGMAFLOW_STORAGE");
        var settings = environment.HasStorage ? environment
            : local is { Length: > 0 } ? new PlatformSettings { Read = n => n == PlatformSettings.Storage ? local : environment.Read(n) }
            : throw new CliUsageException("keys needs storage: set AzureWebJobsStorage (a connection string, or AzureWebJobsStorage__accountName to use your Azure identity), or source infra/local/.run/env for the emulators.");
        var store = new ApiKeyStore(settings.Tables());
        switch (action)
        {
            case "create":
                if (string.IsNullOrWhiteSpace(name))
                {
                    throw new CliUsageException("keys create needs --name (what the key is for).");
                }

                if (!Enum.TryParse<ApiScope>(scopeText, ignoreCase: true, out var scope) || !Enum.IsDefined(scope) || char.IsDigit(scopeText[0]))
                {
                    throw new CliUsageException($"--scope must be read, trade or admin; got '{scopeText}'.");
                }

                var made = await store.CreateAsync(name, scope, rate, cancellationToken).ConfigureAwait(false);
                await stdout.WriteLineAsync(made.Key).ConfigureAwait(false);
                return CliApp.Ok;
            case "list":
                foreach (var key in await store.ListAsync(cancellationToken).ConfigureAwait(false))
                {
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{key.Id}  {key.Scope.ToString().ToLowerInvariant(),-5}  {key.RateLimitPerMinute,6}/min  {key.CreatedAt:yyyy-MM-dd HH:mm}  {(key.RevokedAt is null ? "active " : "revoked")}  {key.Name}")).ConfigureAwait(false);
                }

                return CliApp.Ok;
            case "revoke":
                var revoked = await store.RevokeAsync(id ?? throw new CliUsageException("keys revoke needs --id."), cancellationToken).ConfigureAwait(false);
                if (revoked is null)
                {
                    throw new CliUsageException($"there is no key '{id}'.");
                }

                await stdout.WriteLineAsync($"revoked {revoked.Id} ({revoked.Name})").ConfigureAwait(false);
                return CliApp.Ok;
            default:
                throw new CliUsageException($"keys: unknown action '{action}'; use create, list or revoke.");
        }
    }
}
