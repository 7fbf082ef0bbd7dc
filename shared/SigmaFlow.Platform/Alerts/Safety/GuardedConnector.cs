using System.Globalization;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace SigmaFlow.Platform.Alerts.Safety;

/// <summary>Resolves a host name to addresses (DNS by default; tests pass a table).</summary>
/// <param name="host">The host name.</param>
/// <param name="cancellationToken">Cancels resolution.</param>
/// <returns>The addresses.</returns>
public delegate Task<IPAddress[]> HostResolver(string host, CancellationToken cancellationToken);

/// <summary>
/// The connect step of the alerts' HTTP handler (<see cref="SocketsHttpHandler.ConnectCallback"/>): resolves the host
/// once, refuses the connection when <b>any</b> of its addresses is not allowed by the <see cref="AlertTargetPolicy"/>,
/// and then connects to those very addresses. No second lookup happens between the check and the connection, so a DNS
/// answer that changes in between (DNS rebinding) cannot lead anywhere that was not checked. Every new connection is
/// checked; pooled connections stay on the address checked when they were opened.
/// </summary>
public sealed class GuardedConnector
{
    private readonly AlertTargetPolicy policy;
    private readonly HostResolver resolve;

    /// <summary>Creates the connector.</summary>
    /// <param name="policy">What is allowed.</param>
    /// <param name="resolve">The resolver; DNS when null.</param>
    public GuardedConnector(AlertTargetPolicy policy, HostResolver? resolve = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        this.policy = policy;
        this.resolve = resolve ?? ((host, ct) => Dns.GetHostAddressesAsync(host, ct));
    }

    /// <summary>Resolves and checks a host without connecting.</summary>
    /// <param name="host">The host (a name or an IP literal, brackets allowed).</param>
    /// <param name="cancellationToken">Cancels resolution.</param>
    /// <returns>The allowed addresses, in the resolver's order.</returns>
    /// <exception cref="AlertTargetRefusedException">No address, or an address that is not allowed; the message names the host, the address and its kind.</exception>
    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        var bare = host.Trim('[', ']');
        IPAddress[] addresses;
        if (IPAddress.TryParse(bare, out var literal))
        {
            addresses = [literal];
        }
        else
        {
            try
            {
                addresses = await resolve(bare, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                throw new HttpRequestException(HttpRequestError.NameResolutionError, $"host '{bare}' could not be resolved: {e.Message}", e);
            }
        }

        if (addresses.Length == 0)
        {
            throw new HttpRequestException(HttpRequestError.NameResolutionError, $"host '{bare}' resolved to no address");
        }

        foreach (var address in addresses)
        {
            if (!policy.IsAllowed(address, out var kind))
            {
                throw new AlertTargetRefusedException($"host '{bare}' resolves to {address}, which {policy.RefusalRule(kind)}; nothing was sent.");
            }
        }

        return addresses;
    }

    /// <summary>The connect callback: resolve, check, connect to a checked address.</summary>
    /// <param name="context">The connection's context.</param>
    /// <param name="cancellationToken">Cancels connecting.</param>
    /// <returns>The connected stream.</returns>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var endpoint = context.DnsEndPoint;
        var addresses = await ResolveAsync(endpoint.Host, cancellationToken).ConfigureAwait(false);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException(HttpRequestError.ConnectionError, string.Create(CultureInfo.InvariantCulture, $"could not connect to {endpoint.Host}:{endpoint.Port} ({addresses.Length} address(es) tried): {last?.Message}"), last);
    }
}
