using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.Storage;

/// <summary>
/// Shared Key authorization for storage requests (https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key):
/// the string-to-sign of each service, and the HMAC-SHA256 signature with the account key.
/// </summary>
public static class StorageSharedKey
{
    /// <summary>
    /// Table service (Shared Key): <c>VERB\nContent-MD5\nContent-Type\nDate\nCanonicalizedResource</c>, where Date is
    /// the <c>x-ms-date</c> value and the resource is <c>/{account}{path}</c> plus <c>?comp=…</c> when present.
    /// </summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="uri">Request URI.</param>
    /// <param name="account">Account name.</param>
    /// <param name="contentMd5">Content-MD5 header, or empty.</param>
    /// <param name="contentType">Content-Type header, or empty.</param>
    /// <param name="date">x-ms-date header.</param>
    /// <returns>The string to sign.</returns>
    public static string TableStringToSign(string method, Uri uri, string account, string contentMd5, string contentType, string date)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var resource = new StringBuilder("/").Append(account).Append(uri.AbsolutePath);
        foreach (var (name, value) in Query(uri))
        {
            if (name == "comp")
            {
                resource.Append("?comp=").Append(value);
            }
        }

        return $"{method}\n{contentMd5}\n{contentType}\n{date}\n{resource}";
    }

    /// <summary>
    /// Blob and queue services (Shared Key): the verb, eleven standard headers, the canonicalized <c>x-ms-*</c> headers
    /// (lower-cased, sorted, <c>name:value</c>) and the canonicalized resource (<c>/{account}{path}</c>, then each query
    /// parameter lower-cased and sorted as <c>\nname:value</c>, values decoded).
    /// </summary>
    /// <param name="method">HTTP method.</param>
    /// <param name="uri">Request URI.</param>
    /// <param name="account">Account name.</param>
    /// <param name="headers">Request headers (name → value); Content-Length "0" counts as empty.</param>
    /// <returns>The string to sign.</returns>
    public static string BlobQueueStringToSign(string method, Uri uri, string account, IReadOnlyDictionary<string, string> headers)
    {
        ArgumentNullException.ThrowIfNull(uri);
        ArgumentNullException.ThrowIfNull(headers);
        string Header(string name) => headers.TryGetValue(name, out var v) ? v : string.Empty;
        var length = Header("Content-Length");
        var text = new StringBuilder();
        text.Append(method).Append('\n')
            .Append(Header("Content-Encoding")).Append('\n')
            .Append(Header("Content-Language")).Append('\n')
            .Append(length == "0" ? string.Empty : length).Append('\n')
            .Append(Header("Content-MD5")).Append('\n')
            .Append(Header("Content-Type")).Append('\n')
            .Append(Header("Date")).Append('\n')
            .Append(Header("If-Modified-Since")).Append('\n')
            .Append(Header("If-Match")).Append('\n')
            .Append(Header("If-None-Match")).Append('\n')
            .Append(Header("If-Unmodified-Since")).Append('\n')
            .Append(Header("Range")).Append('\n');
        foreach (var (name, value) in headers
            .Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: h.Value.Trim()))
            .OrderBy(h => h.Name, StringComparer.Ordinal))
        {
            text.Append(name).Append(':').Append(value).Append('\n');
        }

        text.Append('/').Append(account).Append(uri.AbsolutePath);
        foreach (var group in Query(uri).GroupBy(q => q.Name.ToLowerInvariant()).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append('\n').Append(group.Key).Append(':').Append(string.Join(',', group.Select(q => q.Value).Order(StringComparer.Ordinal)));
        }

        return text.ToString();
    }

    /// <summary>Base64 HMAC-SHA256 of the string to sign, keyed with the base64-decoded account key.</summary>
    /// <param name="accountKey">Account key (base64).</param>
    /// <param name="stringToSign">The string to sign.</param>
    /// <returns>The signature.</returns>
    public static string Sign(string accountKey, string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(accountKey), Encoding.UTF8.GetBytes(stringToSign)));

    internal static IEnumerable<(string Name, string Value)> Query(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            yield break;
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
            yield return (name, value);
        }
    }
}

/// <summary>Signs every attempt of a storage request with the account key (a fresh <c>x-ms-date</c> each retry).</summary>
internal sealed class StorageSharedKeyPolicy(StorageAccount account, StorageService service, TimeProvider clock) : HttpPipelineSynchronousPolicy
{
    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        var date = clock.GetUtcNow().ToString("R", CultureInfo.InvariantCulture);
        request.Headers.SetValue("x-ms-date", date);
        var uri = request.Uri.ToUri();
        var method = request.Method.Method;
        string signed;
        if (service == StorageService.Table)
        {
            request.Headers.TryGetValue("Content-MD5", out var md5);
            request.Headers.TryGetValue("Content-Type", out var type);
            signed = StorageSharedKey.TableStringToSign(method, uri, account.Name, md5 ?? string.Empty, type ?? string.Empty, date);
        }
        else
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in request.Headers)
            {
                headers[header.Name] = header.Value;
            }

            if (request.Content is not null && request.Content.TryComputeLength(out var length))
            {
                headers["Content-Length"] = length.ToString(CultureInfo.InvariantCulture);
            }

            signed = StorageSharedKey.BlobQueueStringToSign(method, uri, account.Name, headers);
        }

        request.Headers.SetValue("Authorization", $"SharedKey {account.Name}:{StorageSharedKey.Sign(account.Key!, signed)}");
    }
}
