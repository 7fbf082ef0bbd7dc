using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace SigmaFlow.Platform.Azure.WebPubSub;

/// <summary>
/// Turns Web PubSub error responses (<c>{"code":"…","message":"…"}</c>, or a status with <c>x-ms-error-code</c>) into
/// <see cref="RequestFailedException"/>s that name the operation, hub and target, the status and the service's message.
/// Messages never hold keys or tokens.
/// </summary>
internal static class WebPubSubFailures
{
    /// <summary>An error response.</summary>
    /// <param name="response">The response.</param>
    /// <param name="operation">What was attempted, with hub and target (e.g. "Send to group 'signals' of hub 'market'").</param>
    /// <returns>The exception to throw.</returns>
    public static RequestFailedException FromResponse(Response response, string operation)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var header) && header.Length > 0 ? header : null;
        var (bodyCode, serviceMessage) = ParseError(response.Content);
        code ??= bodyCode;
        var text = new StringBuilder(operation).Append(" failed: HTTP ").Append(response.Status.ToString(CultureInfo.InvariantCulture));
        text.Append(' ').Append(code ?? (string.IsNullOrEmpty(response.ReasonPhrase) ? "(no error code)" : response.ReasonPhrase));
        if (serviceMessage is not null)
        {
            text.Append(": ").Append(serviceMessage);
        }

        var hint = response.Status switch
        {
            401 => "Check the connection string's AccessKey (or, with Entra, that the identity can get a token for https://webpubsub.azure.com/.default).",
            403 => "With Entra, the identity needs the 'Web PubSub Service Owner' role on the resource.",
            _ => null,
        };
        if (hint is not null)
        {
            text.Append(". ").Append(hint);
        }

        return new RequestFailedException(response.Status, text.ToString(), code, null);
    }

    /// <summary>The service could not be reached on any attempt.</summary>
    /// <param name="failure">What the pipeline threw.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="endpoint">The endpoint.</param>
    /// <returns>The exception to throw (status 0).</returns>
    public static RequestFailedException Unreachable(Exception failure, string operation, Uri endpoint)
    {
        var inner = failure is AggregateException aggregate && aggregate.InnerExceptions.Count > 0 ? aggregate.InnerExceptions[^1] : failure;
        return new RequestFailedException(0, $"{operation} failed: the Web PubSub endpoint {endpoint.GetLeftPart(UriPartial.Authority)} could not be reached ({inner.GetType().Name}: {inner.Message}).", failure);
    }

    private static (string? Code, string? Message) ParseError(BinaryData? content)
    {
        if (content is null || content.ToMemory().IsEmpty)
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(content.ToMemory());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Shorten(content.ToString()));
            }

            var root = document.RootElement;
            // Error body: {"code":"…","message":"…"}, sometimes wrapped as {"error":{…}}.
            if (root.TryGetProperty("error", out var wrapped) && wrapped.ValueKind == JsonValueKind.Object)
            {
                root = wrapped;
            }

            return (Text(root, "code"), Text(root, "message"));
        }
        catch (JsonException)
        {
            return (null, Shorten(content.ToString()));
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string text)
    {
        text = text.Trim();
        return text.Length <= 300 ? text : string.Concat(text.AsSpan(0, 297), "...");
    }
}
