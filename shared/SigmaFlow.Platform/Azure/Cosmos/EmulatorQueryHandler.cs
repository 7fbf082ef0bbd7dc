using Microsoft.Azure.Cosmos;

namespace SigmaFlow.Platform.Azure.Cosmos;

/// <summary>
/// Emulator only: marks query pages as not needing client-side distribution. The store runs single-partition queries
/// with optimistic direct execution (no query plan, which the local server does not implement). After a page that has a
/// continuation, the SDK reads the backend's <c>x-ms-cosmos-query-requiresdistribution</c> header and, when it is
/// absent, switches to the full pipeline — which asks for a query plan and fails locally. Azure's backend sends
/// <c>false</c> for a single-partition query; the local server evaluates every query whole in one process and never
/// needs distribution, but does not send the header, so this handler adds it to the emulator's query responses.
/// </summary>
internal sealed class EmulatorQueryHandler : RequestHandler
{
    private const string RequiresDistribution = "x-ms-cosmos-query-requiresdistribution";

    /// <inheritdoc />
    public override async Task<ResponseMessage> SendAsync(RequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode
            && request.Headers.TryGetValue("x-ms-documentdb-isquery", out var isQuery)
            && string.Equals(isQuery, "True", StringComparison.OrdinalIgnoreCase)
            && !response.Headers.TryGetValue(RequiresDistribution, out _))
        {
            response.Headers.Set(RequiresDistribution, "false");
        }

        return response;
    }
}
