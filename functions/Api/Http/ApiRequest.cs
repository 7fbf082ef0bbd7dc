using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SigmaFlow.Core.Data;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Http;

/// <summary>Reading a request: the caller, the buffered JSON body and typed query parameters, each failing with a problem that names the field.</summary>
internal static class ApiRequest
{
    /// <summary>Largest request body (bytes).</summary>
    public const int MaxBody = 1 << 20;

    private const string BodyKey = "sigmaflow.body";
    private const string CallerKey = "sigmaflow.caller";
    private const string RequestIdKey = "sigmaflow.requestId";

    public static void SetBody(HttpContext context, byte[] body) => context.Items[BodyKey] = body;

    public static byte[] Body(HttpContext context) => context.Items[BodyKey] as byte[] ?? [];

    public static void SetCaller(HttpContext context, ApiCaller caller) => context.Items[CallerKey] = caller;

    public static ApiCaller Caller(HttpContext context) => context.Items[CallerKey] as ApiCaller ?? ApiCaller.Anonymous;

    public static void SetRequestId(HttpContext context, string id) => context.Items[RequestIdKey] = id;

    public static string RequestId(HttpContext context) => context.Items[RequestIdKey] as string ?? context.TraceIdentifier;

    /// <summary>The body as <typeparamref name="T"/>: 415 when it is not JSON, 400 when it does not parse (with the JSON path), 400 when empty.</summary>
    public static T Json<T>(HttpContext context)
        where T : class
    {
        var body = Body(context);
        if (body.Length == 0)
        {
            throw ApiProblem.BadRequest("body", "a JSON body is required");
        }

        var type = context.Request.ContentType;
        if (type is not null && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !type.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiProblem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", $"header.Content-Type: must be application/json (got '{type}')", [new FieldError("header.Content-Type", "must be application/json", type)]);
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, ApiJson.Options) ?? throw ApiProblem.BadRequest("body", "must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            var path = e.Path is { Length: > 1 } p ? "body" + p[1..] : "body";
            throw ApiProblem.BadRequest(path, JsonRule(typeof(T), e), null);
        }
    }

    /// <summary>The rule a JSON body broke, in the API's terms (JSON types and field names, never .NET type names).</summary>
    private static string JsonRule(Type root, JsonException e)
    {
        var (type, known) = Resolve(root, e.Path);
        if (e.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return known.Count > 0 ? $"is not a known field; known fields: {string.Join(", ", known)}" : "is not a known field";
        }

        if (e.Message.Contains("could not be converted", StringComparison.Ordinal) && type is not null)
        {
            return $"must be {JsonKind(type)}";
        }

        return "is not valid JSON: " + e.Message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0].TrimEnd('.');
    }

    private static (Type? Type, IReadOnlyList<string> Known) Resolve(Type root, string? path)
    {
        var type = root;
        IReadOnlyList<string> known = Names(root);
        foreach (var part in (path ?? "$").TrimStart('$').Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = part.Split('[')[0];
            known = Names(type);
            var property = type.GetProperties().FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                return (null, known);
            }

            type = property.PropertyType;
            if (part.Contains('[', StringComparison.Ordinal) && Element(type) is { } element)
            {
                type = element;
            }
        }

        return (type, known);
    }

    private static List<string> Names(Type type) =>
        type.IsClass && type != typeof(string) && Element(type) is null
            ? type.GetProperties().Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)).ToList()
            : [];

    private static Type? Element(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetGenericArguments().Length == 1 && typeof(System.Collections.IEnumerable).IsAssignableFrom(type) ? type.GetGenericArguments()[0]
        : null;

    private static string JsonKind(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(string) ? "a string"
            : type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : type == typeof(double) || type == typeof(decimal) ? "a number"
            : type == typeof(DateTimeOffset) ? "an ISO 8601 time string"
            : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName))
            : type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Dictionary<,>) ? "an object of name → value"
            : Element(type) is { } element ? "an array of " + JsonKind(element).Replace("a ", string.Empty, StringComparison.Ordinal).Replace("an ", string.Empty, StringComparison.Ordinal) + " values"
            : "an object";
    }

    public static string? Query(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;

    public static int Int(HttpContext context, string name, int fallback, int min, int max)
    {
        var text = Query(context, name);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw ApiProblem.Invalid("query." + name, string.Create(CultureInfo.InvariantCulture, $"must be a whole number from {min} to {max}"), text);
    }

    public static bool Bool(HttpContext context, string name, bool fallback)
    {
        var text = Query(context, name);
        return text switch
        {
            null => fallback,
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw ApiProblem.Invalid("query." + name, "must be true or false", text),
        };
    }

    /// <summary>A time: ISO 8601 (a time without zone is UTC) or Unix milliseconds.</summary>
    public static long? Time(HttpContext context, string name)
    {
        var text = Query(context, name);
        if (text is null)
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms >= 0)
        {
            return ms;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time.ToUnixTimeMilliseconds()
            : throw ApiProblem.Invalid("query." + name, "must be an ISO 8601 time (2026-01-02T15:04:05Z) or Unix milliseconds", text);
    }

    public static Timeframe Timeframe(HttpContext context, string name, string fallback)
    {
        var text = Query(context, name) ?? fallback;
        try
        {
            return Core.Data.Timeframe.Parse(text);
        }
        catch (FormatException e)
        {
            throw ApiProblem.Invalid("query." + name, $"must be a timeframe such as 1m, 5m, 15m, 1h, 4h, 1d ({e.Message.TrimEnd('.')})", text);
        }
    }

    public static string Symbol(HttpContext context, string routeName = "symbol")
    {
        var text = context.Request.RouteValues[routeName] as string;
        return WatchlistStore.IsValidSymbol(text)
            ? text!.ToUpperInvariant()
            : throw ApiProblem.Invalid("path." + routeName, "must be 1–32 letters, digits or . _ - : /, starting with a letter or digit", text);
    }

    public static string Route(HttpContext context, string name) => context.Request.RouteValues[name] as string ?? string.Empty;
}

/// <summary>Who is calling: an API key or, in Azure, the platform's authenticated principal.</summary>
/// <param name="Id">Key id or principal id; the rate limit and idempotency keys are per caller.</param>
/// <param name="Name">A readable name.</param>
/// <param name="Scope">What the caller may do.</param>
/// <param name="RateLimitPerMinute">Requests per minute.</param>
/// <param name="Authenticated">False for anonymous calls to public endpoints.</param>
internal sealed record ApiCaller(string Id, string Name, ApiScope Scope, int RateLimitPerMinute, bool Authenticated)
{
    public static ApiCaller Anonymous { get; } = new("anonymous", "anonymous", ApiScope.Read, ApiKeyStore.DefaultRateLimitPerMinute, false);
}
