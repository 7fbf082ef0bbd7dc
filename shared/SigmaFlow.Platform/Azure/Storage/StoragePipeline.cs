using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.Storage;

/// <summary>Builds the HTTP pipeline of a storage client: version header, authorization (shared key or Entra), retries.</summary>
internal static class StoragePipeline
{
    /// <summary>Table service version sent as <c>x-ms-version</c> (the version Azure's own Tables SDK sends).</summary>
    public const string TableVersion = "2019-02-02";

    /// <summary>Queue and blob service version sent as <c>x-ms-version</c> (accepted by Azure and by Azurite).</summary>
    public const string QueueVersion = "2021-12-02";

    /// <summary>Entra scope for storage data-plane tokens.</summary>
    public const string Scope = "https://storage.azure.com/.default";

    public static HttpPipeline Create(StorageAccount account, StorageService service, TokenCredential? credential, AzureClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(account);
        options ??= new AzureClientOptions();
        HttpPipelinePolicy auth;
        if (credential is not null)
        {
            auth = new BearerTokenAuthenticationPolicy(credential, Scope);
        }
        else if (account.Key is not null)
        {
            auth = new StorageSharedKeyPolicy(account, service, options.Clock);
        }
        else
        {
            throw new ArgumentException($"the {account} has no account key and no credential was given; use a connection string with AccountKey, or pass an Entra credential (DefaultAzureCredential in Azure).", nameof(credential));
        }

        return HttpPipelineBuilder.Build(options, [], [new VersionPolicy(service == StorageService.Table ? TableVersion : QueueVersion), auth], new ResponseClassifier());
    }

    private sealed class VersionPolicy(string version) : HttpPipelineSynchronousPolicy
    {
        public override void OnSendingRequest(HttpMessage message) => message.Request.Headers.SetValue("x-ms-version", version);
    }
}
