using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Gateway.Domain.Errors;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;

namespace Gateway.Host.Api;

// ---- what the route builders attach for the document (the handlers never read it)

/// <summary>One error answer of an endpoint: its status, when it is sent, and the stable codes its body can carry.</summary>
public sealed record ErrorResponseMetadata(int StatusCode, string When, IReadOnlyList<string> Codes);

/// <summary>
/// The JSON object an endpoint reads and checks itself. Only the document uses it: unlike
/// <c>Accepts&lt;T&gt;</c>, it adds no content-type matching to routing, so the contract's order of checks
/// (401, 413, 415, 400) stays the handler's.
/// </summary>
public sealed record JsonBodyMetadata(Type Type, string Description);

/// <summary>A query, path or header parameter as the document describes it.</summary>
public sealed record ParameterMetadata(string Name, ParameterLocation In, string Description);

/// <summary>
/// The OpenAPI document served at <c>GET /openapi/v1.json</c> (no authentication): every endpoint the
/// node maps, with its request body, answers, bearer token and the stable error codes of each error answer
/// (<c>x-error-codes</c> on the response; the whole table, code to statuses, on the document).
/// </summary>
public static partial class GatewayOpenApi
{
    public const string DocumentName = "v1";
    public const string SecuritySchemeId = "bearer";
    public const string ErrorCodesExtension = "x-error-codes";

    private const string Json = "application/json";

    /// <summary>The codes the framework's own refusals carry (see <see cref="StatusCodeBodies"/>), with their statuses.</summary>
    private static readonly (string Status, string Code, string When)[] FrameworkErrors =
    [
        ("404", ErrorCodes.NotFound, "there is no endpoint at the path"),
        ("405", ErrorCodes.MethodNotAllowed, "the endpoint exists but not for this HTTP method"),
        ("4XX", ErrorCodes.HttpError, "any other refusal by the HTTP layer itself (the message gives the status)"),
    ];

    private static readonly string[] BodyShapeCodes =
    [
        ErrorCodes.MalformedJson, ErrorCodes.BodyNotObject, ErrorCodes.UnknownField, ErrorCodes.DuplicateField,
        ErrorCodes.InvalidFieldType,
    ];

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Admin"] = "Provisioning of partners, recording servers, groups and subscribers, and a subscriber's queue (CONTRACT §2). Admin token.",
        ["Partner"] = "Terminations and message status (CONTRACT §3). The partner's clientSecret as bearer token.",
        ["Simulator"] = "The embedded mobile-network simulator (CONTRACT §5). Admin token.",
        ["Operations"] = "Liveness and readiness probes (CONTRACT §7). No authentication.",
    };

    public static IServiceCollection AddGatewayOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.AddOperationTransformer(DescribeOperationAsync);
            options.AddDocumentTransformer(DescribeDocumentAsync);
        });

    /// <summary><c>GET /openapi/v1.json</c>, without authentication.</summary>
    public static IEndpointConventionBuilder MapGatewayOpenApi(this IEndpointRouteBuilder app) =>
        app.MapOpenApi("/openapi/{documentName}.json");

    // ---- route builder metadata

    /// <summary>A successful answer: its status, what it means and its JSON body (none when <paramref name="body"/> is null).</summary>
    public static TBuilder Answers<TBuilder>(this TBuilder builder, int statusCode, string description, Type? body = null)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(body is null
            ? new ProducesResponseTypeMetadata(statusCode, typeof(void)) { Description = description }
            : new ProducesResponseTypeMetadata(statusCode, body, [Json]) { Description = description });

    /// <summary>An error answer with the error body <c>{"error": {"code", "message"}}</c> and the codes it can carry.</summary>
    public static TBuilder ProducesError<TBuilder>(this TBuilder builder, int statusCode, string when, params string[] codes)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.Add(endpoint =>
        {
            if (!endpoint.Metadata.OfType<IProducesResponseTypeMetadata>().Any(m => m.StatusCode == statusCode))
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(ErrorBody), [Json]));
            endpoint.Metadata.Add(new ErrorResponseMetadata(statusCode, when, codes));
        });
        return builder;
    }

    /// <summary>
    /// A JSON object body the handler reads itself (413, 415 and the shape checks of 400 come with it);
    /// <paramref name="maxSize"/> names the setting that bounds it.
    /// </summary>
    public static TBuilder ReadsJsonBody<TBuilder>(this TBuilder builder, Type body, string description, string maxSize)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new JsonBodyMetadata(body, description))
            .ProducesError(StatusCodes.Status400BadRequest, "the body is not a JSON object of the expected shape", BodyShapeCodes)
            .ProducesError(StatusCodes.Status413PayloadTooLarge, $"the body is larger than `{maxSize}`", ErrorCodes.PayloadTooLarge)
            .ProducesError(StatusCodes.Status415UnsupportedMediaType,
                "`Content-Type` missing, not JSON, or a charset other than UTF-8", ErrorCodes.UnsupportedMediaType);

    /// <summary>An admin list: <c>?after=&amp;limit=</c>, one page of <paramref name="what"/> in id order.</summary>
    public static TBuilder AnswersPages<TBuilder>(this TBuilder builder, string what, Type page, int defaultPageSize, int maxPageSize)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithSummary($"List {what}, a page at a time, in id order")
            .WithParameter("after", ParameterLocation.Query, "The `next` of the previous page; left out for the first page.")
            .WithParameter("limit", ParameterLocation.Query, $"The page size, 1 to {maxPageSize} (default {defaultPageSize}).")
            .Answers(StatusCodes.Status200OK, $"One page of {what}: `next` is the `after` of the next page, null on the last.", page)
            .ProducesError(StatusCodes.Status400BadRequest, $"`limit` is not a whole number from 1 to {maxPageSize}", ErrorCodes.InvalidParameter);

    /// <summary>Describes a path parameter.</summary>
    public static TBuilder WithPathParameter<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(name, ParameterLocation.Path, description);

    /// <summary>Describes a request header the handler reads itself.</summary>
    public static TBuilder WithHeaderParameter<TBuilder>(this TBuilder builder, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithParameter(name, ParameterLocation.Header, description);

    private static TBuilder WithParameter<TBuilder>(this TBuilder builder, string name, ParameterLocation location, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ParameterMetadata(name, location, description));

    // ---- transformers

    private static Task DescribeOperationAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("The OpenAPI operation has no document.");
        return DescribeAsync(operation, context.Description.ActionDescriptor.EndpointMetadata, document,
            type => context.GetOrCreateSchemaAsync(type, null, cancellationToken));
    }

    private static async Task DescribeDocumentAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var endpoints = context.ApplicationServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .ToList();

        document.Info = new OpenApiInfo
        {
            Title = "SMS/MMS gateway",
            Version = DocumentName,
            Description =
                "The gateway's admin API (CONTRACT §2), partner API (CONTRACT §3), embedded network simulator (CONTRACT §5) " +
                "and health probes. `/admin/...` and `/sim/...` take `Authorization: Bearer <admin token>`; `/v1/...` takes " +
                "`Authorization: Bearer <partner clientSecret>`. Every refusal has the body " +
                "`{\"error\": {\"code\": \"<stable code>\", \"message\": \"<human text>\"}}`; each error response lists its codes in " +
                $"`{ErrorCodesExtension}`, and `{ErrorCodesExtension}` on this document maps every code to its statuses (docs/errors.md). " +
                "On any path: " + string.Join("; ", FrameworkErrors.Select(f => $"`{f.Status}` `{f.Code}` when {f.When}")) + ".",
        };
        EnsureSecurityScheme(document);

        await AddEndpointsWithoutDescriptionAsync(document, endpoints,
            type => context.GetOrCreateSchemaAsync(type, null, cancellationToken));

        document.Tags ??= new HashSet<OpenApiTag>();
        foreach (var (name, description) in TagDescriptions)
        {
            if (document.Tags.FirstOrDefault(t => t.Name == name) is { } tag)
                tag.Description = description;
        }

        document.Extensions ??= new Dictionary<string, IOpenApiExtension>();
        document.Extensions[ErrorCodesExtension] = new JsonNodeExtension(ErrorCodeTable(endpoints));
    }

    /// <summary>
    /// Endpoints the API explorer does not see (<c>MapHealthChecks</c> maps a request delegate, not a
    /// handler): described from their metadata, under <c>GET</c> when they accept any method.
    /// </summary>
    private static async Task AddEndpointsWithoutDescriptionAsync(
        OpenApiDocument document, IEnumerable<RouteEndpoint> endpoints, Func<Type, Task<OpenApiSchema>> schemaOf)
    {
        document.Paths ??= new OpenApiPaths();
        foreach (var endpoint in endpoints)
        {
            var path = PathOf(endpoint.RoutePattern);
            if (!document.Paths.TryGetValue(path, out var item))
                document.Paths[path] = item = new OpenApiPathItem();
            if (item is not OpenApiPathItem pathItem)
                continue;
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } declared
                ? declared
                : [HttpMethods.Get];
            foreach (var method in methods)
            {
                var httpMethod = new HttpMethod(method);
                if (pathItem.Operations?.ContainsKey(httpMethod) == true)
                    continue;
                var operation = new OpenApiOperation
                {
                    OperationId = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName,
                    Summary = endpoint.Metadata.GetMetadata<IEndpointSummaryMetadata>()?.Summary,
                    Description = endpoint.Metadata.GetMetadata<IEndpointDescriptionMetadata>()?.Description,
                    Tags = endpoint.Metadata.GetOrderedMetadata<ITagsMetadata>().SelectMany(t => t.Tags).Distinct()
                        .Select(t => EnsureTag(document, t)).ToHashSet(),
                    Responses = new OpenApiResponses(),
                };
                foreach (var parameter in endpoint.RoutePattern.Parameters)
                {
                    operation.Parameters ??= [];
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = parameter.Name,
                        In = ParameterLocation.Path,
                        Required = true,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
                foreach (var produces in endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>())
                {
                    var response = new OpenApiResponse
                    {
                        Description = produces.Description ?? ReasonPhrases.GetReasonPhrase(produces.StatusCode),
                    };
                    if (produces.Type is { } type && type != typeof(void))
                    {
                        response.Content = new Dictionary<string, OpenApiMediaType>
                        {
                            [produces.ContentTypes.FirstOrDefault() ?? Json] = new() { Schema = await SchemaReferenceAsync(document, type, schemaOf) },
                        };
                    }
                    operation.Responses[produces.StatusCode.ToString(CultureInfo.InvariantCulture)] = response;
                }
                await DescribeAsync(operation, endpoint.Metadata, document, schemaOf);
                pathItem.AddOperation(httpMethod, operation);
            }
        }
    }

    /// <summary>The request body, parameters, error codes and security of one operation, from its endpoint's metadata.</summary>
    private static async Task DescribeAsync(
        OpenApiOperation operation, IEnumerable<object> metadata, OpenApiDocument document, Func<Type, Task<OpenApiSchema>> schemaOf)
    {
        var items = metadata.ToList();

        // minimal API handlers are named methods: their name is the operation id unless one was given
        if (operation.OperationId is null && items.OfType<MethodInfo>().LastOrDefault() is { } handler)
            operation.OperationId = handler.Name;
        foreach (var produces in items.OfType<IProducesResponseTypeMetadata>())
        {
            if (produces.Description is { } description
                && operation.Responses?.GetValueOrDefault(produces.StatusCode.ToString(CultureInfo.InvariantCulture)) is OpenApiResponse success)
                success.Description = description;
        }

        if (items.OfType<JsonBodyMetadata>().LastOrDefault() is { } body)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = body.Description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [Json] = new() { Schema = await SchemaReferenceAsync(document, body.Type, schemaOf) },
                },
            };
        }

        foreach (var parameter in items.OfType<ParameterMetadata>())
        {
            operation.Parameters ??= [];
            if (operation.Parameters.OfType<OpenApiParameter>().FirstOrDefault(p => p.Name == parameter.Name && p.In == parameter.In) is { } known)
            {
                known.Description = parameter.Description;
                continue;
            }
            if (parameter.In == ParameterLocation.Path)
                continue; // described for a whole group: only the routes that have it
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = parameter.Name,
                In = parameter.In,
                Required = parameter.In == ParameterLocation.Path,
                Description = parameter.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });
        }

        var errors = items.OfType<ErrorResponseMetadata>().GroupBy(e => e.StatusCode).OrderBy(g => g.Key).ToList();
        foreach (var error in errors)
        {
            operation.Responses ??= new OpenApiResponses();
            var key = error.Key.ToString(CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var existing) || existing is not OpenApiResponse response)
                operation.Responses[key] = response = new OpenApiResponse();
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            if (response.Content.Count == 0)
                response.Content[Json] = new OpenApiMediaType { Schema = await SchemaReferenceAsync(document, typeof(ErrorBody), schemaOf) };

            var codes = error.SelectMany(e => e.Codes).Distinct(StringComparer.Ordinal).ToList();
            var when = string.Join("; ", error.Select(e => e.When).Distinct(StringComparer.Ordinal));
            response.Description = $"{ReasonPhrases.GetReasonPhrase(error.Key)}: {when}."
                + (codes.Count == 0 ? "" : $" Error codes: {string.Join(", ", codes.Select(c => $"`{c}`"))}.");
            response.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            response.Extensions[ErrorCodesExtension] = new JsonNodeExtension(new JsonArray(codes.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()));

            var header = error.Key switch
            {
                StatusCodes.Status401Unauthorized => ("WWW-Authenticate", "The scheme to authenticate with: `Bearer`.", JsonSchemaType.String),
                StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable =>
                    ("Retry-After", "When to retry, in whole seconds.", JsonSchemaType.Integer),
                _ => ((string, string, JsonSchemaType)?)null,
            };
            if (header is var (name, description, type))
            {
                response.Headers ??= new Dictionary<string, IOpenApiHeader>();
                response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = type } };
            }
        }

        if (operation.Responses is { Count: > 1 } responses)
        {
            var ordered = responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
            responses.Clear();
            foreach (var (status, response) in ordered)
                responses[status] = response;
        }

        // an endpoint that can answer 401 takes a bearer token
        if (errors.Any(e => e.Key == StatusCodes.Status401Unauthorized))
        {
            EnsureSecurityScheme(document);
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SecuritySchemeId, document)] = [] }];
        }
    }

    /// <summary>A reference to the schema of <paramref name="type"/> under <c>components/schemas</c>, added there if new.</summary>
    private static async Task<IOpenApiSchema> SchemaReferenceAsync(OpenApiDocument document, Type type, Func<Type, Task<OpenApiSchema>> schemaOf)
    {
        var schema = await schemaOf(type);
        if (type.IsGenericType || type.IsArray)
            return schema; // lists and dictionaries stay inline; their items are references
        var id = type.Name;
        if (document.Components?.Schemas?.ContainsKey(id) != true)
            document.AddComponent(id, schema);
        return new OpenApiSchemaReference(id, document);
    }

    private static void EnsureSecurityScheme(OpenApiDocument document)
    {
        if (document.Components?.SecuritySchemes?.ContainsKey(SecuritySchemeId) == true)
            return;
        document.AddComponent<IOpenApiSecurityScheme>(SecuritySchemeId, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "`/admin/...` and `/sim/...`: the node's admin token (GATEWAY_ADMIN_TOKEN, or the one generated into " +
                "<data-dir>/admin-token). `/v1/...`: the partner's `clientSecret`. The scheme name is case-insensitive.",
        });
    }

    private static OpenApiTagReference EnsureTag(OpenApiDocument document, string name)
    {
        document.Tags ??= new HashSet<OpenApiTag>();
        if (!document.Tags.Any(t => t.Name == name))
            document.Tags.Add(new OpenApiTag { Name = name });
        return new OpenApiTagReference(name, document);
    }

    /// <summary>Every code of <see cref="ErrorCodes"/>, in declaration order, with the statuses the endpoints and the framework answer it with.</summary>
    private static JsonObject ErrorCodeTable(IEnumerable<RouteEndpoint> endpoints)
    {
        var statuses = typeof(ErrorCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f is { IsLiteral: true } && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToDictionary(code => code, _ => new SortedSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        void Add(string code, string status)
        {
            if (!statuses.TryGetValue(code, out var set))
                statuses[code] = set = new SortedSet<string>(StringComparer.Ordinal);
            set.Add(status);
        }
        foreach (var error in endpoints.SelectMany(e => e.Metadata.OfType<ErrorResponseMetadata>()))
        foreach (var code in error.Codes)
            Add(code, error.StatusCode.ToString(CultureInfo.InvariantCulture));
        foreach (var (status, code, _) in FrameworkErrors)
            Add(code, status);

        var table = new JsonObject();
        foreach (var (code, set) in statuses)
            table[code] = new JsonArray(set.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());
        return table;
    }

    /// <summary>The document's path of a route: <c>/admin/partners/{partnerId}</c> (constraints and defaults dropped).</summary>
    private static string PathOf(Microsoft.AspNetCore.Routing.Patterns.RoutePattern pattern) =>
        "/" + RouteParameter().Replace(pattern.RawText ?? "", m => "{" + m.Groups["name"].Value + "}").TrimStart('/');

    [GeneratedRegex(@"\{\**(?<name>[^{}:=?]+)[^{}]*\}")]
    private static partial Regex RouteParameter();
}

// ---- request and response bodies the handlers read and write by hand; described here for the document only
// (request properties marked required are the ones a request must carry; the others may be left out or null)

/// <summary>The body of <c>POST /v1/messages</c> (CONTRACT §3). Property names match case-insensitively.</summary>
public sealed record TerminationRequest
{
    [Description("\"sms\" or \"mms\".")]
    public required string Type { get; init; }

    [Description("The sender: E.164, a short code (5 or 6 digits) or an alphanumeric sender (1 to 11 ASCII letters, digits and spaces, starting with a letter).")]
    public required string From { get; init; }

    [Description("Every participant, E.164, the owner included, no number twice; exactly one (the owner) for an SMS.")]
    public required IReadOnlyList<string> To { get; init; }

    [Description("The DID (E.164) of the receiving subscriber; it must belong to the calling partner.")]
    public required string Owner { get; init; }

    [Description("1 to 1,600 characters (Unicode code points); required for an SMS.")]
    public string? Text { get; init; }

    [Description("MMS only; an MMS needs text, media or both. The decoded media together at most gateway.partner-api.max-media-size (1,048,576 bytes).")]
    public IReadOnlyList<MediaRequest>? Media { get; init; }
}

/// <summary>A media item of a message.</summary>
public sealed record MediaRequest
{
    [Description("One of the supported content types, e.g. image/png (parameters allowed).")]
    public required string ContentType { get; init; }

    [Description("The file name shown to the recipient.")]
    public string? FileName { get; init; }

    [Description("The content, standard padded base64, at least one byte once decoded.")]
    public required string Content { get; init; }
}

/// <summary>The body of <c>POST /sim/handsets/{mobile}/messages</c> (CONTRACT §5).</summary>
public sealed record HandsetMessageRequest
{
    [Description("\"sms\" or \"mms\".")]
    public required string Type { get; init; }

    [Description("The recipients: E.164 numbers or short codes; one for an SMS.")]
    public required IReadOnlyList<string> To { get; init; }

    [Description("The text; required for an SMS.")]
    public string? Text { get; init; }

    [Description("MMS only; items as in the partner API.")]
    public IReadOnlyList<MediaRequest>? Media { get; init; }

    [Description("Hand the SMS segments to the gateway in a random order (default false).")]
    public bool? Shuffle { get; init; }
}

/// <summary>The body of <c>PUT /sim/handsets/{mobile}/reachable</c>.</summary>
public sealed record ReachableRequest
{
    [Description("While false, deliveries to the handset fail temporarily.")]
    public required bool Reachable { get; init; }
}

/// <summary>The body of <c>PUT /admin/partners/{partnerId}</c>.</summary>
public sealed record PartnerRequest
{
    [Description("Absolute http(s) URL the gateway posts originations to.")]
    public required string PrimaryUrl { get; init; }

    [Description("Tried at once, in the same attempt, when the primary fails temporarily.")]
    public string? SecondaryUrl { get; init; }

    [Description("What the partner sends to the gateway as bearer token; each partner needs its own; shown as \"***\".")]
    public required string ClientSecret { get; init; }

    [Description("What the gateway sends to the partner as bearer token; shown as \"***\".")]
    public required string SecurityToken { get; init; }
}

/// <summary>The body of <c>PUT /admin/recording-servers/{id}</c>.</summary>
public sealed record RecordingServerRequest
{
    [Description("1 to 100 printable characters.")]
    public required string Name { get; init; }

    [Description("Absolute http(s) URL the message copies are posted to.")]
    public required string Url { get; init; }

    [Description("Sent as bearer token when set; shown as \"***\".")]
    public string? AuthenticationKey { get; init; }
}

/// <summary>The body of <c>PUT /admin/groups/{groupId}</c>.</summary>
public sealed record GroupRequest
{
    [Description("Message Copy; off when left out.")]
    public MessageCopyRequest? MessageCopy { get; init; }
}

public sealed record MessageCopyRequest
{
    public required bool Enabled { get; init; }

    [Description("Required when enabled; must name an existing recording server.")]
    public string? RecordingServerId { get; init; }
}

/// <summary>The body of <c>PUT /admin/subscribers/{subrId}</c>.</summary>
public sealed record SubscriberRequest
{
    [Description("The SIM's number on the mobile network (E.164).")]
    public required string Mobile { get; init; }

    [Description("The number partners and the PSTN see (E.164).")]
    public required string Did { get; init; }

    [Description("The customer's DNS name, used by Message Copy.")]
    public required string Domain { get; init; }

    [Description("An existing partner.")]
    public required string PartnerId { get; init; }

    [Description("An existing group.")]
    public string? GroupId { get; init; }
}

/// <summary>One page of partners: <c>next</c> is the <c>after</c> of the next page, null on the last.</summary>
public sealed record PartnerPage(IReadOnlyList<PartnerView> Items, string? Next);

public sealed record RecordingServerPage(IReadOnlyList<RecordingServerView> Items, string? Next);

public sealed record GroupPage(IReadOnlyList<GroupView> Items, string? Next);

public sealed record SubscriberPage(IReadOnlyList<SubscriberView> Items, string? Next);

/// <summary>The body of <c>/healthz</c> and <c>/readyz</c>.</summary>
public sealed record HealthReportBody(
    [property: Description("\"ok\" or \"unavailable\".")] string Status,
    [property: Description("Each check's result (/readyz: cluster, journal, provisioning).")] IReadOnlyDictionary<string, string> Checks);
