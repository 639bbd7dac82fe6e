using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gateway.Testing;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Host.Tests.Api;

/// <summary>One host and its OpenAPI document, fetched once for the spec class.</summary>
public sealed class OpenApiFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public GatewayApp App { get; private set; } = null!;

    public HttpResponseMessage Response { get; private set; } = null!;

    public string Text { get; private set; } = "";

    public JsonElement Document { get; private set; }

    public async Task InitializeAsync()
    {
        App = new GatewayApp(_data.Path, new TestStorage.Sqlite());
        Response = await App.CreateClient().GetAsync("/openapi/v1.json"); // no Authorization header
        Text = await Response.Content.ReadAsStringAsync();
        if (Response.StatusCode == HttpStatusCode.OK)
            Document = JsonDocument.Parse(Text).RootElement.Clone();
    }

    public async Task DisposeAsync()
    {
        Response.Dispose();
        await App.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// <c>GET /openapi/v1.json</c>: the OpenAPI document describes every route the node maps, the request
/// and response bodies, the bearer token, and every error code of docs/errors.md with its status.
/// </summary>
public sealed partial class OpenApiSpecs(OpenApiFixture fixture) : IClassFixture<OpenApiFixture>
{
    private JsonElement Document => fixture.Document;

    [Fact]
    public void OpenApi_document_should_be_served_as_json_without_authentication()
    {
        Assert.True(fixture.Response.StatusCode == HttpStatusCode.OK, $"GET /openapi/v1.json: {(int)fixture.Response.StatusCode} {fixture.Text}");
        Assert.Equal("application/json", fixture.Response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("3.", Document.GetProperty("openapi").GetString());
        Assert.Equal(JsonValueKind.Object, Document.GetProperty("paths").ValueKind);
        Assert.Equal("v1", Document.GetProperty("info").GetProperty("version").GetString());
    }

    [Fact]
    public void OpenApi_document_should_describe_every_route_the_app_maps_with_its_methods()
    {
        var routes = fixture.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Path: PathOf(e.RoutePattern.RawText!), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods))
            .Where(r => !r.Path.StartsWith("/openapi/", StringComparison.Ordinal))
            .ToList();
        var paths = Document.GetProperty("paths");

        // the routes of the contract are all there (so an empty data source cannot pass)
        Assert.Contains(routes, r => r.Path == "/v1/messages");
        Assert.Contains(routes, r => r.Path == "/admin/subscribers/{subrId}/queue");
        Assert.Contains(routes, r => r.Path == "/sim/handsets/{mobile}/reachable");
        Assert.Contains(routes, r => r.Path == "/healthz");
        Assert.Contains(routes, r => r.Path == "/readyz");
        foreach (var (path, methods) in routes)
        {
            Assert.True(paths.TryGetProperty(path, out var item), $"'{path}' is not in the document's paths");
            // an endpoint without method metadata (the health checks) answers any method: documented as GET
            foreach (var method in methods is { Count: > 0 } ? methods : ["GET"])
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out var operation), $"{method} {path} is not in the document");
                Assert.True(operation.TryGetProperty("responses", out var responses) && responses.EnumerateObject().Any(),
                    $"{method} {path} has no responses");
            }
        }
        var operationIds = paths.EnumerateObject().SelectMany(p => p.Value.EnumerateObject())
            .Select(o => o.Value.TryGetProperty("operationId", out var id) ? id.GetString() : null).ToList();
        Assert.DoesNotContain(null, operationIds);
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
    }

    [Fact]
    public void OpenApi_document_should_list_every_answer_of_POST_v1_messages_with_the_error_body()
    {
        var post = Document.GetProperty("paths").GetProperty("/v1/messages").GetProperty("post");
        var responses = post.GetProperty("responses");

        Assert.Equal(["202", "400", "401", "404", "413", "415", "422", "429", "503"],
            responses.EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.Equal("#/components/schemas/AcceptedView", SchemaRef(responses.GetProperty("202")));
        foreach (var error in responses.EnumerateObject().Where(r => r.Name != "202"))
        {
            Assert.Equal("#/components/schemas/ErrorBody", SchemaRef(error.Value));
            Assert.NotEmpty(error.Value.GetProperty("x-error-codes").EnumerateArray());
        }
        Assert.Equal(["rate_limited"], responses.GetProperty("429").GetProperty("x-error-codes").EnumerateArray().Select(c => c.GetString()));

        // ErrorBody: {"error": {"code", "message"}}
        var schemas = Document.GetProperty("components").GetProperty("schemas");
        var detail = Resolve(schemas.GetProperty("ErrorBody").GetProperty("properties").GetProperty("error"));
        Assert.Equal(["code", "message"], detail.GetProperty("properties").EnumerateObject().Select(p => p.Name));

        // the body the handler reads by hand is described all the same
        var body = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal("#/components/schemas/TerminationRequest", body.GetProperty("$ref").GetString());
        Assert.Equal(["type", "from", "to", "owner", "text", "media"],
            schemas.GetProperty("TerminationRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Contains(post.GetProperty("parameters").EnumerateArray(),
            p => p.GetProperty("name").GetString() == "Idempotency-Key" && p.GetProperty("in").GetString() == "header");
    }

    [Fact]
    public void OpenApi_document_should_name_every_error_code_of_docs_errors_md_with_its_status()
    {
        var table = ErrorsDocTable();
        Assert.True(table.Count > 40, $"only {table.Count} codes parsed from docs/errors.md");
        var documentCodes = Document.GetProperty("x-error-codes");
        var operationCodes = OperationErrorCodes();
        // answered by the HTTP layer on any path, not by one operation
        string[] httpLayerCodes = ["method_not_allowed", "http_error"];

        foreach (var (code, statuses) in table)
        {
            Assert.True(documentCodes.TryGetProperty(code, out var documented), $"'{code}' is not in the document's x-error-codes");
            Assert.Equal(statuses.Order(StringComparer.Ordinal),
                documented.EnumerateArray().Select(s => s.GetString()!.ToLowerInvariant()).Order(StringComparer.Ordinal));
            if (httpLayerCodes.Contains(code))
                continue;
            foreach (var status in statuses)
            {
                Assert.True(operationCodes.Contains((code, status)),
                    $"no operation of the document lists '{code}' under its {status} response");
            }
        }
    }

    [Fact]
    public void OpenApi_document_should_ask_for_the_bearer_token_where_the_api_does()
    {
        var scheme = Document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        foreach (var path in Document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        {
            var needsToken = path.Name.StartsWith("/admin/", StringComparison.Ordinal) || path.Name.StartsWith("/sim/", StringComparison.Ordinal)
                || path.Name.StartsWith("/v1/", StringComparison.Ordinal);
            var security = operation.Value.TryGetProperty("security", out var requirements)
                ? requirements.EnumerateArray().SelectMany(r => r.EnumerateObject().Select(s => s.Name)).ToList()
                : [];
            Assert.True(needsToken == security.Contains("bearer"), $"{operation.Name} {path.Name}: security [{string.Join(", ", security)}]");
            Assert.Equal(needsToken, operation.Value.GetProperty("responses").TryGetProperty("401", out _));
        }
    }

    // ---- helpers

    /// <summary>(code, status) of every <c>| `code` | status |</c> row of docs/errors.md's tables; status as written (<c>4xx</c> lower case).</summary>
    private static Dictionary<string, HashSet<string>> ErrorsDocTable()
    {
        var table = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (Match row in ErrorsDocRow().Matches(RepositoryFile("docs/errors.md")))
        {
            var code = row.Groups["code"].Value;
            if (!table.TryGetValue(code, out var statuses))
                table[code] = statuses = [];
            statuses.Add(row.Groups["status"].Value.ToLowerInvariant());
        }
        return table;
    }

    /// <summary>(code, status) of every operation response's <c>x-error-codes</c>.</summary>
    private HashSet<(string Code, string Status)> OperationErrorCodes()
    {
        var codes = new HashSet<(string, string)>();
        foreach (var path in Document.GetProperty("paths").EnumerateObject())
        foreach (var operation in path.Value.EnumerateObject())
        foreach (var response in operation.Value.GetProperty("responses").EnumerateObject())
        {
            if (response.Value.TryGetProperty("x-error-codes", out var listed))
            {
                foreach (var code in listed.EnumerateArray())
                    codes.Add((code.GetString()!, response.Name));
            }
        }
        return codes;
    }

    private static string? SchemaRef(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();

    /// <summary>A schema, or the component it references.</summary>
    private JsonElement Resolve(JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? Document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;

    /// <summary>A route's path as OpenAPI writes it: a leading slash, parameters without constraints.</summary>
    private static string PathOf(string rawText) =>
        "/" + RouteParameter().Replace(rawText, m => "{" + m.Groups["name"].Value + "}").TrimStart('/');

    private static string RepositoryFile(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Engine.sln")))
                return File.ReadAllText(Path.Combine(directory.FullName, relativePath));
        }
        throw new FileNotFoundException("No Engine.sln above the test binaries.");
    }

    [GeneratedRegex(@"^\| `(?<code>[a-z0-9_]+)` \| (?<status>[0-9]xx|[0-9]{3}) \|", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ErrorsDocRow();

    [GeneratedRegex(@"\{\**(?<name>[^{}:=?]+)[^{}]*\}")]
    private static partial Regex RouteParameter();
}
