using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace SigmaFlow.Functions.Api.Http;

/// <summary>One thing wrong with a request: the field (a JSON path, a query parameter or a header), the rule it breaks and the value sent.</summary>
/// <param name="Field">Where: <c>body.parameters.fast</c>, <c>query.limit</c>, <c>header.If-Match</c>, <c>document</c> (with line and column).</param>
/// <param name="Rule">The rule, in words.</param>
/// <param name="Value">The value sent (shortened), or null when it was missing.</param>
/// <param name="Line">Line in a document, when the field is a document.</param>
/// <param name="Column">Column in a document.</param>
internal sealed record FieldError(string Field, string Rule, string? Value = null, int? Line = null, int? Column = null);

/// <summary>
/// An RFC 7807 problem (<c>application/problem+json</c>): thrown anywhere in an API handler, answered by the pipeline
/// with the request id and, for validation failures, every field error.
/// </summary>
internal sealed class ApiProblem : Exception
{
    public ApiProblem()
        : this(StatusCodes.Status500InternalServerError, "Internal error", "unexpected failure")
    {
    }

    public ApiProblem(string message)
        : this(StatusCodes.Status400BadRequest, "Bad request", message)
    {
    }

    public ApiProblem(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = StatusCodes.Status500InternalServerError;
        Title = "Internal error";
        Errors = [];
    }

    public ApiProblem(int status, string title, string detail, IReadOnlyList<FieldError>? errors = null)
        : base(detail)
    {
        Status = status;
        Title = title;
        Errors = errors ?? [];
    }

    public int Status { get; }

    public string Title { get; }

    public IReadOnlyList<FieldError> Errors { get; }

    /// <summary>Extra headers (Retry-After, WWW-Authenticate, ETag).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Extra members of the problem document.</summary>
    public Dictionary<string, object?> Extensions { get; } = new(StringComparer.Ordinal);

    public static ApiProblem Validation(IReadOnlyList<FieldError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var detail = errors.Count == 1
            ? $"{errors[0].Field}: {errors[0].Rule}{Got(errors[0].Value)}"
            : string.Create(CultureInfo.InvariantCulture, $"{errors.Count} problems; the first: {errors[0].Field}: {errors[0].Rule}{Got(errors[0].Value)}");
        return new ApiProblem(StatusCodes.Status422UnprocessableEntity, "Validation failed", detail, errors);
    }

    public static ApiProblem Invalid(string field, string rule, string? value = null) => Validation([new FieldError(field, rule, Shorten(value))]);

    public static ApiProblem BadRequest(string field, string rule, string? value = null) =>
        new(StatusCodes.Status400BadRequest, "Bad request", $"{field}: {rule}{Got(Shorten(value))}", [new FieldError(field, rule, Shorten(value))]);

    public static ApiProblem NotFound(string what) => new(StatusCodes.Status404NotFound, "Not found", what);

    public static ApiProblem Conflict(string detail) => new(StatusCodes.Status409Conflict, "Conflict", detail);

    public static ApiProblem PreconditionFailed(string detail) => new(StatusCodes.Status412PreconditionFailed, "Precondition failed", detail);

    public static ApiProblem Unavailable(string detail) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable", detail);

    public static string? Shorten(string? value) => value is null || value.Length <= 120 ? value : string.Concat(value.AsSpan(0, 120), "…");

    public Dictionary<string, object?> Document(string instance, string requestId)
    {
        var document = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["type"] = "https://sigmaflow.dev/problems/" + Slug(Status),
            ["title"] = Title,
            ["status"] = Status,
            ["detail"] = Message,
            ["instance"] = instance,
            ["requestId"] = requestId,
        };
        if (Errors.Count > 0)
        {
            document["errors"] = Errors;
        }

        foreach (var (name, value) in Extensions)
        {
            document[name] = value;
        }

        return document;
    }

    private static string Got(string? value) => value is null ? string.Empty : $" (got '{value}')";

    private static string Slug(int status) => status switch
    {
        400 => "bad-request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not-found",
        405 => "method-not-allowed",
        409 => "conflict",
        412 => "precondition-failed",
        413 => "payload-too-large",
        415 => "unsupported-media-type",
        422 => "validation",
        428 => "precondition-required",
        429 => "rate-limited",
        503 => "unavailable",
        _ => "error",
    };
}
