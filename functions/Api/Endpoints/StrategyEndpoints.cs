using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SigmaFlow.Core.Strategies;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Functions.Host;
using SigmaFlow.Platform.Strategies;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>Body of <c>POST /api/strategies</c> and <c>POST /api/strategies/validate</c>.</summary>
/// <param name="Document">The strategy document, YAML or JSON text.</param>
/// <param name="Id">The id to store it under; the document's name (lower-cased) when absent.</param>
/// <param name="Parameters">Parameter values to check against the bounds (validate only).</param>
internal sealed record StrategyInput(string? Document, string? Id = null, Dictionary<string, double>? Parameters = null);

/// <summary>Body of <c>PUT /api/strategies/{id}</c>.</summary>
/// <param name="Document">The new document.</param>
/// <param name="ExpectedVersion">The version the change is based on (or send <c>If-Match: "v3"</c>).</param>
internal sealed record StrategyUpdate(string? Document, int? ExpectedVersion = null);

/// <summary>A position-carrying error in a strategy document.</summary>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Message">What was expected and what was found.</param>
internal sealed record StrategyError(int Line, int Column, string Message);

/// <summary>A strategy parameter with its bounds.</summary>
/// <param name="Name">Name.</param>
/// <param name="Default">Default.</param>
/// <param name="Min">Lower bound.</param>
/// <param name="Max">Upper bound.</param>
/// <param name="Step">Sweep step, if declared.</param>
internal sealed record StrategyParameterView(string Name, double Default, double Min, double Max, double? Step);

/// <summary>Answer of <c>POST /api/strategies/validate</c>.</summary>
/// <param name="Valid">Whether the document parses and compiles against the catalog.</param>
/// <param name="Name">The document's name, when readable.</param>
/// <param name="Errors">Every problem with line and column.</param>
/// <param name="Parameters">The declared parameters.</param>
internal sealed record ValidationView(bool Valid, string? Name, IReadOnlyList<StrategyError> Errors, IReadOnlyList<StrategyParameterView> Parameters);

/// <summary>A stored strategy.</summary>
internal sealed record StrategyView(string Id, string Name, int Version, string Document, IReadOnlyList<StrategyParameterView> Parameters, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A strategy in a list.</summary>
internal sealed record StrategySummary(string Id, string Name, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>A version in the history.</summary>
internal sealed record StrategyVersionView(string Id, int Version, string Name, DateTimeOffset CreatedAt, string? Document);

/// <summary>A list.</summary>
/// <typeparam name="T">Item type.</typeparam>
/// <param name="Items">The items.</param>
internal sealed record ItemList<T>(IReadOnlyList<T> Items);

/// <summary>Strategies: create, read, list, update with versions, delete, validate.</summary>
internal static class StrategyEndpoints
{
    private const string Tag = "Strategies";

    public static void Map(IEndpointRouteBuilder api, ApiServices services)
    {
        api.Post("/strategies/validate", new ApiOperation(Tag, "Check a strategy document: parser and compiler errors with line and column", ApiScope.Read, typeof(StrategyInput), typeof(ValidationView)), context =>
        {
            var input = ApiRequest.Json<StrategyInput>(context);
            var document = RequireDocument(input.Document);
            return Task.FromResult<IResult>(ApiResult.Ok(Validate(document, input.Parameters)));
        });

        api.Post("/strategies", new ApiOperation(Tag, "Store a new strategy (version 1)", ApiScope.Trade, typeof(StrategyInput), typeof(StrategyView), 201, Idempotent: true, Errors: [409, 422]), async context =>
        {
            var store = Store(services);
            var input = ApiRequest.Json<StrategyInput>(context);
            var (document, parsed) = Compile(input.Document);
            var id = input.Id ?? parsed.Name.ToLowerInvariant();
            if (!StrategyStore.IsValidId(id))
            {
                throw ApiProblem.Invalid(input.Id is null ? "document.name" : "body.id", "an id must be 1–64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit; give 'id' when the name does not fit", id);
            }

            var record = await store.CreateAsync(id, parsed.Name, document, context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Created("/api/strategies/" + id, View(record, parsed)).With("ETag", ETag(record.Version));
        });

        api.Get("/strategies", new ApiOperation(Tag, "List strategies (latest versions)", ApiScope.Read, Response: typeof(ItemList<StrategySummary>)), async context =>
        {
            var list = await Store(services).ListAsync(context.RequestAborted).ConfigureAwait(false);
            return ApiResult.Ok(new ItemList<StrategySummary>(list.Select(s => new StrategySummary(s.Id, s.Name, s.Version, s.CreatedAt, s.UpdatedAt)).ToList()));
        });

        api.Get("/strategies/{id}", new ApiOperation(Tag, "Read a strategy's latest version", ApiScope.Read, Response: typeof(StrategyView), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var record = await Store(services).GetAsync(id, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
            return ApiResult.Ok(View(record, TryRead(record.Document))).With("ETag", ETag(record.Version));
        });

        api.Put("/strategies/{id}", new ApiOperation(Tag, "Store a new version (If-Match: \"vN\" or expectedVersion required)", ApiScope.Trade, typeof(StrategyUpdate), typeof(StrategyView), Errors: [404, 409, 412, 422, 428]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var input = ApiRequest.Json<StrategyUpdate>(context);
            var expected = ExpectedVersion(context, input.ExpectedVersion);
            var (document, parsed) = Compile(input.Document);
            var store = Store(services);
            try
            {
                var record = await store.UpdateAsync(id, parsed.Name, document, expected, context.RequestAborted).ConfigureAwait(false) ?? throw NotFound(id);
                return ApiResult.Ok(View(record, parsed)).With("ETag", ETag(record.Version));
            }
            catch (WorkspaceConflictException e) when (context.Request.Headers.IfMatch.Count > 0)
            {
                throw ApiProblem.PreconditionFailed(e.Message);
            }
        });

        api.Delete("/strategies/{id}", new ApiOperation(Tag, "Delete a strategy with its history", ApiScope.Trade, Success: 204, Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            return await Store(services).DeleteAsync(id, context.RequestAborted).ConfigureAwait(false) ? ApiResult.NoContent() : throw NotFound(id);
        });

        api.Get("/strategies/{id}/versions", new ApiOperation(Tag, "A strategy's version history, oldest first", ApiScope.Read, Response: typeof(ItemList<StrategyVersionView>), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var versions = await Store(services).ListVersionsAsync(id, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            return versions.Count == 0
                ? throw NotFound(id)
                : ApiResult.Ok(new ItemList<StrategyVersionView>(versions.Select(v => new StrategyVersionView(v.Id, v.Version, v.Name, v.CreatedAt, null)).ToList()));
        });

        api.Get("/strategies/{id}/versions/{version:int}", new ApiOperation(Tag, "One version of a strategy", ApiScope.Read, Response: typeof(StrategyVersionView), Errors: [404]), async context =>
        {
            var id = ApiRequest.Route(context, "id");
            var version = int.Parse(ApiRequest.Route(context, "version"), CultureInfo.InvariantCulture);
            var record = await Store(services).GetVersionAsync(id, version, context.RequestAborted).ConfigureAwait(false)
                ?? throw ApiProblem.NotFound(string.Create(CultureInfo.InvariantCulture, $"strategy '{id}' has no version {version}."));
            return ApiResult.Ok(new StrategyVersionView(record.Id, record.Version, record.Name, record.CreatedAt, record.Document));
        });
    }

    /// <summary>Parses and compiles a document; 422 with every error (line, column) when it does not.</summary>
    public static (string Text, StrategyDocument Document) Compile(string? text, IReadOnlyDictionary<string, double>? parameters = null)
    {
        var document = RequireDocument(text);
        try
        {
            var parsed = StrategyDocumentReader.Read(document);
            StrategyCompiler.Compile(parsed, parameters);
            return (document, parsed);
        }
        catch (StrategyException e)
        {
            throw ApiProblem.Validation(Errors(e).Select(d => new FieldError(parameters is not null && d.Line == 0 ? "body.parameters" : "document", d.Message, null, d.Line == 0 ? null : d.Line, d.Line == 0 ? null : d.Column)).ToList());
        }
    }

    private static ValidationView Validate(string document, IReadOnlyDictionary<string, double>? parameters)
    {
        StrategyDocument? parsed = null;
        try
        {
            parsed = StrategyDocumentReader.Read(document);
            StrategyCompiler.Compile(parsed, parameters);
            return new ValidationView(true, parsed.Name, [], Parameters(parsed));
        }
        catch (StrategyException e)
        {
            return new ValidationView(false, parsed?.Name, Errors(e).Select(d => new StrategyError(d.Line, d.Column, d.Message)).ToList(), parsed is null ? [] : Parameters(parsed));
        }
    }

    private static IReadOnlyList<StrategyDiagnostic> Errors(StrategyException e) =>
        e.Diagnostics.Count > 0 ? e.Diagnostics : [new StrategyDiagnostic(0, 0, e.Message)];

    private static string RequireDocument(string? document) =>
        string.IsNullOrWhiteSpace(document) ? throw ApiProblem.Invalid("body.document", "is required: the strategy's YAML or JSON text")
        : document.Length > StrategyStore.MaxDocumentLength ? throw ApiProblem.Invalid("body.document", string.Create(CultureInfo.InvariantCulture, $"must have at most {StrategyStore.MaxDocumentLength} characters"), string.Create(CultureInfo.InvariantCulture, $"{document.Length} characters"))
        : document;

    private static int? ExpectedVersion(HttpContext context, int? fromBody)
    {
        var header = context.Request.Headers.IfMatch.FirstOrDefault();
        if (header is null)
        {
            return fromBody ?? throw new ApiProblem(StatusCodes.Status428PreconditionRequired, "Precondition required", "send If-Match: \"vN\" (the ETag you read) or expectedVersion in the body, so that a concurrent change is not overwritten.", [new FieldError("header.If-Match", "required (or body.expectedVersion)")]);
        }

        var text = header.Trim().Trim('"');
        return text.StartsWith('v') && int.TryParse(text.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version > 0
            ? version
            : throw ApiProblem.BadRequest("header.If-Match", "must be the ETag of a strategy version, such as \"v3\"", header);
    }

    private static StrategyStore Store(ApiServices services) => ApiServices.Require(services.Strategies, "storing strategies", PlatformSettings.Storage);

    private static ApiProblem NotFound(string id) => ApiProblem.NotFound($"there is no strategy '{id}'.");

    private static string ETag(int version) => string.Create(CultureInfo.InvariantCulture, $"\"v{version}\"");

    private static StrategyDocument? TryRead(string text)
    {
        try
        {
            return StrategyDocumentReader.Read(text);
        }
        catch (StrategyException)
        {
            return null;
        }
    }

    private static StrategyView View(StrategyRecord record, StrategyDocument? parsed) =>
        new(record.Id, record.Name, record.Version, record.Document, parsed is null ? [] : Parameters(parsed), record.CreatedAt, record.UpdatedAt);

    private static List<StrategyParameterView> Parameters(StrategyDocument document) =>
        document.Parameters.Select(p => new StrategyParameterView(p.Name, p.Default, p.Minimum, p.Maximum, p.Step)).ToList();
}
