using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.DependencyInjection;
using SigmaFlow.Functions.Api.Http;
using SigmaFlow.Platform.Workspace;

namespace SigmaFlow.Functions.Api.Endpoints;

/// <summary>
/// The OpenAPI 3.1 document, built from the mapped endpoints and their <see cref="ApiOperation"/> (schemas from the
/// request and response types through System.Text.Json's schema exporter, with the API's own serializer options), and
/// a small browsable page that lists the operations and can send requests with a key.
/// </summary>
internal static class OpenApiEndpoints
{
    private const string Tag = "Meta";

    public static void Map(IEndpointRouteBuilder api)
    {
        api.Get("/openapi.json", new ApiOperation(Tag, "This document", null), context =>
            Task.FromResult<IResult>(new ApiResult(200, Encoding.UTF8.GetBytes(Document(context).ToJsonString()), "application/json; charset=utf-8")));
        api.Get("/docs", new ApiOperation(Tag, "A browsable page over the OpenAPI document", null), _ =>
            Task.FromResult<IResult>(new ApiResult(200, Encoding.UTF8.GetBytes(DocsPage), "text/html; charset=utf-8")));
    }

    /// <summary>The problem for a request no endpoint matched: 405 with <c>Allow</c> when the path exists with other methods, else 404.</summary>
    public static ApiProblem Unmatched(HttpContext context)
    {
        var allowed = Operations(context)
            .Where(o => Matches(o.Template, context.Request.Path))
            .Select(o => o.Method)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (allowed.Count == 0)
        {
            return ApiProblem.NotFound($"no API endpoint {context.Request.Method} {context.Request.Path}; the endpoints are listed at /api/openapi.json.");
        }

        var problem = new ApiProblem(StatusCodes.Status405MethodNotAllowed, "Method not allowed", $"{context.Request.Path} answers {string.Join(", ", allowed)}, not {context.Request.Method}.");
        problem.Headers["Allow"] = string.Join(", ", allowed);
        return problem;
    }

    public static JsonObject Document(HttpContext context)
    {
        var paths = new JsonObject();
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        foreach (var (template, method, operation) in Operations(context).OrderBy(o => o.Template, StringComparer.Ordinal))
        {
            var path = OpenApiPath(template);
            if (paths[path] is not JsonObject item)
            {
                paths[path] = item = new JsonObject();
            }

            var parameters = new JsonArray();
            foreach (var name in PathParameters(template))
            {
                parameters.Add(new JsonObject { ["name"] = name, ["in"] = "path", ["required"] = true, ["schema"] = new JsonObject { ["type"] = template.Contains("{" + name + ":int}", StringComparison.Ordinal) ? "integer" : "string" } });
            }

            foreach (var query in operation.Query ?? [])
            {
                parameters.Add(new JsonObject { ["name"] = query.Name, ["in"] = "query", ["required"] = query.Required, ["description"] = query.Description, ["schema"] = new JsonObject { ["type"] = query.Type } });
            }

            if (operation.Idempotent)
            {
                parameters.Add(new JsonObject { ["name"] = "Idempotency-Key", ["in"] = "header", ["required"] = false, ["description"] = "Repeats with the same key and body get the first response (24 h); a different body with the same key is refused.", ["schema"] = new JsonObject { ["type"] = "string", ["maxLength"] = 255 } });
            }

            var responses = new JsonObject
            {
                [operation.Success.ToString(System.Globalization.CultureInfo.InvariantCulture)] = Response(operation.Response, "Success", schemas),
            };
            var errors = new List<int>(operation.Errors ?? []);
            if (operation.Request is not null)
            {
                errors.AddRange([400, 413, 415, 422]);
            }

            if (operation.Scope is not null)
            {
                errors.AddRange([401, 403, 429]);
            }

            foreach (var status in errors.Distinct().Order())
            {
                responses[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject
                {
                    ["description"] = "Problem (RFC 7807)",
                    ["content"] = new JsonObject { ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = "#/components/schemas/Problem" } } },
                };
            }

            var entry = new JsonObject
            {
                ["tags"] = new JsonArray(operation.Tag),
                ["summary"] = operation.Summary,
                ["operationId"] = OperationId(method, template),
                ["parameters"] = parameters,
                ["responses"] = responses,
            };
            if (operation.Request is { } request)
            {
                entry["requestBody"] = new JsonObject { ["required"] = true, ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(request, schemas) } } };
            }

            if (operation.Scope is { } scope)
            {
                entry["security"] = new JsonArray(new JsonObject { ["apiKey"] = new JsonArray() }, new JsonObject { ["principal"] = new JsonArray() });
                entry["x-scope"] = scope.ToString().ToLowerInvariant();
            }

            item[method.ToLowerInvariant()] = entry;
        }

        schemas["Problem"] = JsonNode.Parse("""
            {"type":"object","properties":{"type":{"type":"string"},"title":{"type":"string"},"status":{"type":"integer"},"detail":{"type":"string"},"instance":{"type":"string"},"requestId":{"type":"string"},
             "errors":{"type":"array","items":{"type":"object","properties":{"field":{"type":"string"},"rule":{"type":"string"},"value":{"type":["string","null"]},"line":{"type":["integer","null"]},"column":{"type":["integer","null"]}}}}}}
            """)!;
        var components = new JsonObject();
        foreach (var (name, schema) in schemas)
        {
            components[name] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "SigmaFlow API",
                ["version"] = typeof(OpenApiEndpoints).Assembly.GetName().Version?.ToString() ?? "1.0",
                ["description"] = "Strategies, backtests, sweeps, market data, signals, watchlists, alerts and live push. Send an API key in x-api-key; scopes nest (admin ⊃ trade ⊃ read). Errors are RFC 7807 problems naming the field, the rule and the value; every response carries x-request-id.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/" }),
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = components,
                ["securitySchemes"] = new JsonObject
                {
                    ["apiKey"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "x-api-key" },
                    ["principal"] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = ApiPipeline.PrincipalHeader, ["description"] = "Set by Azure's authentication in front of the function app (when ApiAcceptPrincipalHeader=true)." },
                },
            },
        };
    }

    private static IEnumerable<(string Template, string Method, ApiOperation Operation)> Operations(HttpContext context)
    {
        var sources = context.RequestServices.GetRequiredService<EndpointDataSource>();
        foreach (var endpoint in sources.Endpoints.OfType<RouteEndpoint>())
        {
            if (endpoint.Metadata.GetMetadata<ApiOperation>() is not { } operation || endpoint.RoutePattern.RawText is not { } raw || raw.Contains("**", StringComparison.Ordinal))
            {
                continue;
            }

            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                yield return ("/" + raw.TrimStart('/'), method, operation);
            }
        }
    }

    private static bool Matches(string template, PathString path)
    {
        var matcher = new TemplateMatcher(TemplateParser.Parse(template.TrimStart('/')), new Microsoft.AspNetCore.Routing.RouteValueDictionary());
        return matcher.TryMatch(path, new Microsoft.AspNetCore.Routing.RouteValueDictionary());
    }

    private static string OpenApiPath(string template) =>
        System.Text.RegularExpressions.Regex.Replace(template, @"\{([A-Za-z]+):[^}]+\}", "{$1}");

    private static IEnumerable<string> PathParameters(string template) =>
        System.Text.RegularExpressions.Regex.Matches(template, @"\{([A-Za-z]+)(:[^}]+)?\}").Select(m => m.Groups[1].Value);

    private static string OperationId(string method, string template)
    {
        var words = template.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(w => w.StartsWith('{') ? "By" + Capital(w.Trim('{', '}').Split(':')[0]) : Capital(w.Replace(".json", string.Empty, StringComparison.Ordinal)));
        return method.ToLowerInvariant() + string.Concat(words);
    }

    private static string Capital(string word) => word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..];

    private static JsonObject Response(Type? type, string description, SortedDictionary<string, JsonNode> schemas) =>
        type is null
            ? new JsonObject { ["description"] = description }
            : new JsonObject { ["description"] = description, ["content"] = new JsonObject { ["application/json"] = new JsonObject { ["schema"] = Schema(type, schemas) } } };

    private static JsonObject Schema(Type type, SortedDictionary<string, JsonNode> schemas)
    {
        var name = SchemaName(type);
        if (!schemas.ContainsKey(name))
        {
            schemas[name] = ApiJson.Options.GetJsonSchemaAsNode(type, new JsonSchemaExporterOptions { TreatNullObliviousAsNonNullable = true });
        }

        return new JsonObject { ["$ref"] = "#/components/schemas/" + name };
    }

    private static string SchemaName(Type type) =>
        type.IsGenericType
            ? type.Name.Split('`')[0] + "Of" + string.Concat(type.GetGenericArguments().Select(SchemaName))
            : type.Name;

    private const string DocsPage = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
        <title>SigmaFlow API</title>
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:0;background:#0f1419;color:#e6e6e6}
        header{padding:16px 24px;border-bottom:1px solid #2a3038;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
        h1{font-size:18px;margin:0}input,textarea,button{font:inherit;background:#1a2028;color:inherit;border:1px solid #2a3038;border-radius:4px;padding:4px 8px}
        main{padding:8px 24px 48px}h2{font-size:15px;margin:24px 0 8px;color:#9ab}
        details{border:1px solid #2a3038;border-radius:6px;margin:6px 0;background:#141a21}summary{cursor:pointer;padding:8px 12px}
        .m{display:inline-block;min-width:64px;font-weight:600}.GET{color:#6cf}.POST{color:#6d6}.PUT{color:#fc6}.DELETE{color:#f77}
        .body{padding:8px 12px 12px}textarea{width:100%;min-height:90px;box-sizing:border-box}pre{background:#0b0f13;padding:8px;overflow:auto;max-height:400px}
        .scope{color:#aaa;font-size:12px;margin-left:8px}
        </style></head><body>
        <header><h1>SigmaFlow API</h1><label>x-api-key <input id="key" size="60" placeholder="sfk_…"></label><a style="color:#6cf" href="/api/openapi.json">openapi.json</a></header>
        <main id="ops">Loading…</main>
        <script>
        const key=document.getElementById('key');key.value=localStorage.getItem('sigmaflow.key')||'';key.onchange=()=>localStorage.setItem('sigmaflow.key',key.value);
        const esc=s=>String(s).replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
        fetch('/api/openapi.json').then(r=>r.json()).then(doc=>{
          const byTag={};for(const [path,item] of Object.entries(doc.paths))for(const [m,op] of Object.entries(item))(byTag[op.tags[0]]??=[]).push({path,m:m.toUpperCase(),op});
          const main=document.getElementById('ops');main.innerHTML='';
          for(const [tag,ops] of Object.entries(byTag)){const h=document.createElement('h2');h.textContent=tag;main.append(h);
            for(const {path,m,op} of ops){const d=document.createElement('details');
              const params=(op.parameters||[]).filter(p=>p.in!=='header');
              d.innerHTML=`<summary><span class="m ${m}">${m}</span>${esc(path)} — ${esc(op.summary)}${op['x-scope']?`<span class="scope">scope ${op['x-scope']}</span>`:''}</summary>
              <div class="body">${params.map(p=>`<label>${esc(p.name)} (${p.in}) <input data-p="${esc(p.name)}" data-in="${p.in}"></label> `).join('')}
              ${op.requestBody?'<textarea placeholder="JSON body"></textarea>':''}<button>Send</button><pre hidden></pre></div>`;
              d.querySelector('button').onclick=async()=>{let url=path;const q=new URLSearchParams();
                for(const i of d.querySelectorAll('input[data-p]')){if(!i.value)continue;if(i.dataset.in==='path')url=url.replace('{'+i.dataset.p+'}',encodeURIComponent(i.value));else q.set(i.dataset.p,i.value);}
                const ta=d.querySelector('textarea');const headers={'x-api-key':key.value};if(ta)headers['content-type']='application/json';
                const r=await fetch(url+(q.size?'?'+q:''),{method:m,headers,body:ta?ta.value:undefined});const t=await r.text();
                const pre=d.querySelector('pre');pre.hidden=false;let shown=t;try{shown=JSON.stringify(JSON.parse(t),null,2)}catch{}
                pre.textContent=`${r.status} ${r.statusText}\n\n${shown}`;};
              main.append(d);}}});
        </script></body></html>
        """;
}
