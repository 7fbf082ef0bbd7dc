using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace SigmaFlow.Platform.Azure.Queues;

/// <summary>
/// Turns queue service errors into <see cref="RequestFailedException"/>s whose message names the operation, the queue,
/// the HTTP status, the service's error code and message, and a hint where the cause is usual. Messages never hold
/// keys, tokens or pop receipts.
/// </summary>
internal static class QueueFailures
{
    /// <summary>An error response (<c>&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;…&lt;/Error&gt;</c>, or just a status and <c>x-ms-error-code</c>).</summary>
    /// <param name="response">The response.</param>
    /// <param name="operation">What was attempted, with the queue's name (e.g. "Put Message on queue 'jobs'").</param>
    /// <returns>The exception to throw.</returns>
    public static RequestFailedException FromResponse(Response response, string operation)
    {
        var code = response.Headers.TryGetValue("x-ms-error-code", out var header) && header.Length > 0 ? header : null;
        var (bodyCode, serviceMessage, details) = ParseError(response.Content);
        code ??= bodyCode;
        var text = new StringBuilder(operation).Append(" failed: HTTP ").Append(response.Status.ToString(CultureInfo.InvariantCulture));
        text.Append(' ').Append(code ?? (string.IsNullOrEmpty(response.ReasonPhrase) ? "(no error code)" : response.ReasonPhrase));
        if (serviceMessage is not null)
        {
            text.Append(": ").Append(serviceMessage);
        }

        if (details.Count > 0)
        {
            text.Append(" (").Append(string.Join(", ", details)).Append(')');
        }

        var hint = Hint(response.Status, code);
        if (hint is not null)
        {
            text.Append(text[^1] is '.' or ')' ? " " : ". ").Append(hint).Append('.');
        }

        if (response.Headers.TryGetValue("x-ms-request-id", out var requestId))
        {
            text.Append(" [request id ").Append(requestId).Append(']');
        }

        return new RequestFailedException(response.Status, text.ToString(), code, null);
    }

    /// <summary>The service's error code: the <c>x-ms-error-code</c> header, else the body's <c>&lt;Code&gt;</c>.</summary>
    /// <param name="response">An error response.</param>
    /// <returns>The code, or null.</returns>
    public static string? Code(Response response) =>
        response.Headers.TryGetValue("x-ms-error-code", out var header) && header.Length > 0 ? header : ParseError(response.Content).Code;

    /// <summary>The service could not be reached (connection refused, DNS, timeouts) on any attempt.</summary>
    /// <param name="failure">What the pipeline threw: an <see cref="AggregateException"/> of the attempts, or the one failure.</param>
    /// <param name="operation">What was attempted.</param>
    /// <param name="endpoint">The queue service endpoint.</param>
    /// <returns>The exception to throw.</returns>
    public static RequestFailedException Unreachable(Exception failure, string operation, Uri endpoint)
    {
        var attempts = failure is AggregateException aggregate ? aggregate.InnerExceptions : [failure];
        var last = attempts[^1];
        var reason = last is OperationCanceledException ? "timed out" : last.Message;
        return new RequestFailedException(
            0,
            string.Create(CultureInfo.InvariantCulture, $"{operation} failed: the queue service at {endpoint} could not be reached after {attempts.Count} attempt(s): {reason}"),
            null,
            failure);
    }

    private static (string? Code, string? Message, List<string> Details) ParseError(BinaryData? body)
    {
        var details = new List<string>();
        if (body is null || body.ToMemory().Length == 0)
        {
            return (null, null, details);
        }

        try
        {
            using var stream = body.ToStream();
            using var reader = XmlReader.Create(stream, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            var root = XDocument.Load(reader).Root;
            if (root is null || root.Name.LocalName != "Error")
            {
                return (null, null, details);
            }

            string? code = null;
            string? message = null;
            foreach (var element in root.Elements())
            {
                switch (element.Name.LocalName)
                {
                    case "Code":
                        code = element.Value.Trim();
                        break;
                    case "Message":
                        // Azure appends "\nRequestId:…\nTime:…"; the request id is reported from its header.
                        message = element.Value.Split('\n')[0].Trim();
                        break;
                    default:
                        details.Add($"{element.Name.LocalName}: {element.Value.Trim()}");
                        break;
                }
            }

            return (string.IsNullOrEmpty(code) ? null : code, string.IsNullOrEmpty(message) ? null : message, details);
        }
        catch (XmlException)
        {
            return (null, null, details);
        }
    }

    private static string? Hint(int status, string? code) => (status, code) switch
    {
        (404, "QueueNotFound") => "Create the queue first (CreateIfNotExistsAsync)",
        (404, "MessageNotFound") => "The message was deleted or has expired, or the pop receipt is stale: each receive and each visibility update issues a new one and voids the old",
        (400, "PopReceiptMismatch") => "The pop receipt is stale: each receive and each visibility update issues a new one and voids the old",
        (400, "InvalidQueryParameterValue" or "OutOfRangeQueryParameterValue") => "A parameter is outside what the service accepts",
        (403, _) => "The request was refused: check the account key of the connection string, or that the identity holds the Storage Queue Data Contributor role",
        (409, "QueueBeingDeleted") => "The queue was deleted moments ago; the service needs at least 30 seconds before a queue of that name can be created again",
        (413, _) => "The message is over the 64 KiB limit",
        _ => null,
    };
}
