using System.Globalization;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SigmaFlow.Platform.Azure.Tables;

/// <summary>
/// Sends table requests on the storage pipeline (version header, Shared Key or Entra token, retries) and turns every
/// failure into one <see cref="RequestFailedException"/> whose message names the operation and carries the service's
/// status, error code and message; an unreachable service is reported as status 0 with the endpoint and the attempts.
/// </summary>
internal sealed class TableTransport(HttpPipeline pipeline, Uri endpoint)
{
    /// <summary>JSON without OData metadata (writes, table operations).</summary>
    public const string NoMetadata = "application/json;odata=nometadata";

    /// <summary>JSON with the type annotations that reads need to give every value its type back.</summary>
    public const string MinimalMetadata = "application/json;odata=minimalmetadata";

    /// <summary>The table endpoint without a trailing slash (Azurite: <c>http://127.0.0.1:10002/devstoreaccount1</c>).</summary>
    public string BaseUri { get; } = endpoint.AbsoluteUri.TrimEnd('/');

    /// <summary>A request with the OData headers every table call carries.</summary>
    public HttpMessage Create(RequestMethod method, string uri, string accept = NoMetadata)
    {
        var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = method;
        request.Uri.Reset(new Uri(uri));
        request.Headers.SetValue("Accept", accept);
        request.Headers.SetValue("DataServiceVersion", "3.0;NetFx");
        request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }

    /// <summary>Sets a JSON body.</summary>
    public static void SetJson(HttpMessage message, byte[] json)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(json);
    }

    /// <summary>
    /// Sends the request with retries. Returns the final response whatever its status; throws only when no response
    /// arrived (connection refused, DNS, timeouts on every attempt), as status 0 naming <paramref name="operation"/>.
    /// </summary>
    public async Task<Response> SendAsync(HttpMessage message, string operation, CancellationToken cancellationToken)
    {
        try
        {
            await pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
            return message.Response;
        }
        catch (Exception e) when (e is RequestFailedException { Status: 0 } or AggregateException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var last = e is AggregateException { InnerExceptions.Count: > 0 } aggregate ? aggregate.InnerExceptions[^1] : e;
            var reason = last is OperationCanceledException
                ? "no response within the network timeout"
                : (last.InnerException ?? last).Message;
            var attempts = message.ProcessingContext.RetryNumber + 1;
            throw new RequestFailedException(
                0,
                string.Create(CultureInfo.InvariantCulture, $"{Capitalize(operation)} failed: the table service at {BaseUri} could not be reached ({attempts} attempt{(attempts == 1 ? string.Empty : "s")}; last error: {reason})."),
                "ServiceUnreachable",
                e);
        }
    }

    /// <summary>
    /// The exception for an unsuccessful response: status, the service's error code and the first line of its message,
    /// the request id, and an optional explanation of what the status means for this operation.
    /// </summary>
    public static RequestFailedException Failure(Response response, string operation, string? explanation = null)
    {
        var (code, text) = ReadError(response);
        return Failure(response.Status, code, text, response.Headers.RequestId, operation, explanation);
    }

    /// <summary>The exception for a failure reported by status, code and message (also used for batch parts).</summary>
    public static RequestFailedException Failure(int status, string? code, string? serviceMessage, string? requestId, string operation, string? explanation)
    {
        var message = string.Create(
            CultureInfo.InvariantCulture,
            $"{Capitalize(operation)} failed: {status}{(code is null ? string.Empty : " " + code)}{(explanation is null ? string.Empty : " (" + explanation + ")")}. The service said: {serviceMessage ?? "(no message)"}{(requestId is null ? string.Empty : " [request id " + requestId + "]")}");
        return new RequestFailedException(status, message, code, null);
    }

    /// <summary>The error code and the first line of the message of an OData error body (or the error-code header).</summary>
    public static (string? Code, string? Message) ReadError(Response response)
    {
        response.Headers.TryGetValue("x-ms-error-code", out var headerCode);
        var content = response.Content;
        if (content is null || content.ToMemory().IsEmpty)
        {
            return (headerCode, null);
        }

        var parsed = ParseErrorBody(content.ToString());
        return (parsed.Code ?? headerCode, parsed.Message);
    }

    /// <summary>
    /// Code and first message line of <c>{"odata.error":{"code":…,"message":{"value":…}}}</c>; other bodies give their
    /// first line as the message (XML errors from proxies, HTML error pages).
    /// </summary>
    public static (string? Code, string? Message) ParseErrorBody(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("odata.error", out var error))
            {
                var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? text = null;
                if (error.TryGetProperty("message", out var m))
                {
                    text = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }

                return (code, FirstLine(text));
            }
        }
        catch (JsonException)
        {
        }

        return (null, FirstLine(body));
    }

    /// <summary>The operation text with a capital first letter, for the start of a message.</summary>
    public static string Capitalize(string operation) =>
        operation.Length == 0 ? operation : char.ToUpperInvariant(operation[0]) + operation[1..];

    private static string? FirstLine(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var line = text.Split('\n', 2)[0].Trim();
        return line.Length > 500 ? line[..500] + "…" : line;
    }
}
