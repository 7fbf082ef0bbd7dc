using Microsoft.AspNetCore.Routing;

namespace SigmaFlow.Functions.Host;

/// <summary>
/// An HTTP-only function (one <c>httpTrigger</c> and one <c>http</c> output): the host proxies the request to the
/// handler unchanged (<c>enableProxyingHttpRequest</c>), so its code is a set of ordinary routes under <c>/api</c>.
/// The folder <c>functions/{Name}/</c> holds its <c>function.json</c> and this class.
/// </summary>
public interface IHttpFunction
{
    /// <summary>The function's name: its folder name.</summary>
    string Name { get; }

    /// <summary>Maps the function's routes (with the <c>/api</c> prefix).</summary>
    /// <param name="routes">The route builder.</param>
    void Map(IEndpointRouteBuilder routes);
}
