using System.Globalization;
using System.Net;

namespace SigmaFlow.Platform.Alerts.Safety;

/// <summary>
/// Where alerts may be sent. By default only HTTPS URLs whose host resolves to public addresses only: loopback,
/// private, link-local, carrier-grade NAT, unspecified, multicast, broadcast, reserved and cloud metadata addresses
/// are refused (see <see cref="AddressKind"/>). The development setting <see cref="AllowLocalTargets"/> also allows
/// plain HTTP and loopback or private addresses, for local runs and tests; metadata, link-local and the other kinds stay
/// refused even then. Host names are checked twice: here when a URL is written (IP literals, <c>localhost</c>), and
/// after DNS resolution at every connection (<see cref="GuardedConnector"/>), which connects only to the addresses it
/// checked.
/// </summary>
public sealed class AlertTargetPolicy
{
    /// <summary>Longest URL accepted.</summary>
    public const int MaxUrlLength = 2048;

    /// <summary>Creates the policy.</summary>
    /// <param name="allowLocalTargets">Whether plain HTTP and loopback or private addresses are allowed (development only).</param>
    public AlertTargetPolicy(bool allowLocalTargets = false)
    {
        AllowLocalTargets = allowLocalTargets;
    }

    /// <summary>The production policy: HTTPS to public addresses only.</summary>
    public static AlertTargetPolicy Strict { get; } = new(false);

    /// <summary>Whether plain HTTP and loopback or private addresses are allowed.</summary>
    public bool AllowLocalTargets { get; }

    /// <summary>Whether alerts may go to an address.</summary>
    /// <param name="address">The address.</param>
    /// <param name="kind">Its kind.</param>
    /// <returns>True when allowed.</returns>
    public bool IsAllowed(IPAddress address, out AddressKind kind)
    {
        kind = AddressClassifier.Classify(address);
        return kind == AddressKind.Public || (AllowLocalTargets && kind is AddressKind.Loopback or AddressKind.Private);
    }

    /// <summary>Checks a URL before anything is resolved: absolute, HTTPS (HTTP too when local targets are allowed), no user info, a host, at most 2,048 characters, and an IP-literal or <c>localhost</c> host allowed.</summary>
    /// <param name="field">The field's name for the problem (<c>url</c>).</param>
    /// <param name="url">The URL.</param>
    /// <returns>The problem, or null when the URL may be used.</returns>
    public AlertProblem? CheckUrl(string field, string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return new AlertProblem(field, "is required: an https:// URL");
        }

        var shown = AlertProblem.Show(Describe(url));
        if (url.Length > MaxUrlLength)
        {
            return new AlertProblem(field, string.Create(CultureInfo.InvariantCulture, $"must be at most {MaxUrlLength} characters"), string.Create(CultureInfo.InvariantCulture, $"{url.Length} characters"));
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc || string.IsNullOrEmpty(uri.Host))
        {
            return new AlertProblem(field, "must be an absolute https:// URL", shown);
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(AllowLocalTargets && uri.Scheme == Uri.UriSchemeHttp))
        {
            return new AlertProblem(field, AllowLocalTargets ? "must use https or http" : "must use https (plain http is allowed only with the local development setting AlertsAllowLocalTargets)", shown);
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return new AlertProblem(field, "must not hold a user name or password", shown);
        }

        var host = uri.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return IsAllowed(literal, out var kind) ? null : new AlertProblem(field, RefusalRule(kind), shown);
        }

        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return AllowLocalTargets ? null : new AlertProblem(field, RefusalRule(AddressKind.Loopback), shown);
        }

        return null;
    }

    /// <summary>Why an address of a kind is refused, as a rule (<c>must not point to a loopback address …</c>).</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The rule.</returns>
    public string RefusalRule(AddressKind kind)
    {
        var what = kind switch
        {
            AddressKind.Loopback => "a loopback address",
            AddressKind.Private => "a private network address",
            AddressKind.LinkLocal => "a link-local address",
            AddressKind.CarrierGradeNat => "a carrier-grade NAT address (100.64.0.0/10)",
            AddressKind.Unspecified => "an unspecified address",
            AddressKind.Multicast => "a multicast address",
            AddressKind.Broadcast => "the broadcast address",
            AddressKind.Metadata => "a cloud metadata address",
            AddressKind.Reserved => "a reserved address",
            _ => "a public address",
        };
        var hint = kind is AddressKind.Loopback or AddressKind.Private && !AllowLocalTargets ? " (allowed only with the local development setting AlertsAllowLocalTargets)" : string.Empty;
        return $"must not point to {what}{hint}";
    }

    /// <summary>
    /// A URL with its secrets hidden, for logs, messages and the delivery log: scheme, host, port and the first path
    /// segment, then <c>/***</c> when there is more (<c>https://discord.com/api/***</c>, <c>https://api.telegram.org/***</c>).
    /// Query and fragment are dropped.
    /// </summary>
    /// <param name="url">The URL.</param>
    /// <returns>The redacted URL, or <c>(not a URL)</c>.</returns>
    public static string Describe(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "(not a URL)";
        }

        return Describe(uri);
    }

    /// <summary>A URL with its secrets hidden (see <see cref="Describe(string)"/>).</summary>
    /// <param name="uri">The URL.</param>
    /// <returns>The redacted URL.</returns>
    public static string Describe(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var first = segments.Length > 0 && !segments[0].StartsWith("bot", StringComparison.Ordinal) ? "/" + segments[0] : string.Empty;
        var more = segments.Length > (first.Length > 0 ? 1 : 0) ? "/***" : string.Empty;
        return $"{uri.Scheme}://{uri.Authority}{first}{more}";
    }
}
