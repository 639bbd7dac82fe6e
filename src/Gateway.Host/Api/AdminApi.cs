using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Configuration;
using Gateway.Engine.Provisioning;
using Gateway.Host.Auth;
using static Gateway.Domain.Provisioning.ProvisioningCommands;

namespace Gateway.Host.Api;

/// <summary>What every admin handler needs, injected as one <c>[AsParameters]</c> record.</summary>
public sealed record AdminServices(
    IRequiredActor<ProvisioningAuthority> Authority,
    ProvisioningDirectory Directory,
    GatewaySettings Settings,
    ActorSystem System,
    ILogger<AdminServices> Logger,
    HttpContext HttpContext)
{
    public CancellationToken Aborted => HttpContext.RequestAborted;
}

/// <summary>
/// Provisioning (CONTRACT §2): partners, recording servers, groups and subscribers. Writes go to
/// the provisioning authority (a cluster singleton) and answer once journaled and included in the
/// directory of every Up, reachable node (<see cref="ProvisioningPropagation"/>, at most
/// <c>gateway.provisioning.directory-wait</c>); reads come from this node's directory.
/// </summary>
public static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup(
                "the provisioning authority did not answer in time, or this node is still loading the catalog; retry after `Retry-After`")
            .WithPathParameter("partnerId", ResourceIdRule.Description)
            .WithPathParameter("id", ResourceIdRule.Description)
            .WithPathParameter("groupId", ResourceIdRule.Description)
            .WithPathParameter("subrId", ResourceIdRule.Description);

        admin.MapGet("/partners", ListPartners).AnswersPages("partners", typeof(PartnerPage), DefaultPageSize, MaxPageSize);
        admin.MapGet("/recording-servers", ListRecordingServers).AnswersPages("recording servers", typeof(RecordingServerPage), DefaultPageSize, MaxPageSize);
        admin.MapGet("/groups", ListGroups).AnswersPages("groups", typeof(GroupPage), DefaultPageSize, MaxPageSize);
        admin.MapGet("/subscribers", ListSubscribers).AnswersPages("subscribers", typeof(SubscriberPage), DefaultPageSize, MaxPageSize);

        admin.MapPut("/partners/{partnerId}", PutPartner)
            .WithSummary("Create or replace a partner")
            .ReadsJsonBody(typeof(PartnerRequest), "The whole partner; omitted optional fields become null.", "gateway.admin.max-body-size")
            .Answers(StatusCodes.Status200OK, "The stored partner, secrets shown as \"***\".", typeof(PartnerView))
            .ProducesError(StatusCodes.Status400BadRequest, "the id or a field value is invalid",
                ErrorCodes.InvalidId, ErrorCodes.MissingField, ErrorCodes.InvalidUrl, ErrorCodes.InvalidSecret)
            .ProducesError(StatusCodes.Status409Conflict, "another partner has this `clientSecret`", ErrorCodes.ClientSecretInUse);
        admin.MapGet("/partners/{partnerId}", GetPartner)
            .WithSummary("Read a partner")
            .Answers(StatusCodes.Status200OK, "The partner, secrets shown as \"***\".", typeof(PartnerView))
            .ProducesError(StatusCodes.Status404NotFound, "the partner does not exist", ErrorCodes.NotFound);
        admin.MapDelete("/partners/{partnerId}", DeletePartner)
            .WithSummary("Delete a partner")
            .Answers(StatusCodes.Status204NoContent, "Deleted.")
            .ProducesError(StatusCodes.Status404NotFound, "the partner does not exist", ErrorCodes.NotFound)
            .ProducesError(StatusCodes.Status409Conflict, "the partner still has subscribers", ErrorCodes.PartnerInUse);

        admin.MapPut("/recording-servers/{id}", PutRecordingServer)
            .WithSummary("Create or replace a recording server")
            .ReadsJsonBody(typeof(RecordingServerRequest), "The whole recording server; omitted optional fields become null.", "gateway.admin.max-body-size")
            .Answers(StatusCodes.Status200OK, "The stored recording server, its key shown as \"***\" when set.", typeof(RecordingServerView))
            .ProducesError(StatusCodes.Status400BadRequest, "the id or a field value is invalid",
                ErrorCodes.InvalidId, ErrorCodes.MissingField, ErrorCodes.InvalidName, ErrorCodes.InvalidUrl, ErrorCodes.InvalidSecret);
        admin.MapGet("/recording-servers/{id}", GetRecordingServer)
            .WithSummary("Read a recording server")
            .Answers(StatusCodes.Status200OK, "The recording server, its key shown as \"***\" when set.", typeof(RecordingServerView))
            .ProducesError(StatusCodes.Status404NotFound, "the recording server does not exist", ErrorCodes.NotFound);
        admin.MapDelete("/recording-servers/{id}", DeleteRecordingServer)
            .WithSummary("Delete a recording server")
            .Answers(StatusCodes.Status204NoContent, "Deleted.")
            .ProducesError(StatusCodes.Status404NotFound, "the recording server does not exist", ErrorCodes.NotFound)
            .ProducesError(StatusCodes.Status409Conflict, "a group names the recording server", ErrorCodes.RecordingServerInUse);

        admin.MapPut("/groups/{groupId}", PutGroup)
            .WithSummary("Create or replace a group")
            .ReadsJsonBody(typeof(GroupRequest), "The whole group; Message Copy is off when `messageCopy` is left out.", "gateway.admin.max-body-size")
            .Answers(StatusCodes.Status200OK, "The stored group.", typeof(GroupView))
            .ProducesError(StatusCodes.Status400BadRequest, "the id or a field value is invalid, or the recording server does not exist",
                ErrorCodes.InvalidId, ErrorCodes.MissingField, ErrorCodes.RecordingServerNotFound);
        admin.MapGet("/groups/{groupId}", GetGroup)
            .WithSummary("Read a group")
            .Answers(StatusCodes.Status200OK, "The group.", typeof(GroupView))
            .ProducesError(StatusCodes.Status404NotFound, "the group does not exist", ErrorCodes.NotFound);
        admin.MapDelete("/groups/{groupId}", DeleteGroup)
            .WithSummary("Delete a group")
            .Answers(StatusCodes.Status204NoContent, "Deleted.")
            .ProducesError(StatusCodes.Status404NotFound, "the group does not exist", ErrorCodes.NotFound)
            .ProducesError(StatusCodes.Status409Conflict, "the group still has subscribers", ErrorCodes.GroupInUse);

        admin.MapPut("/subscribers/{subrId}", PutSubscriber)
            .WithSummary("Create or replace a subscriber")
            .ReadsJsonBody(typeof(SubscriberRequest), "The whole subscriber; omitted optional fields become null.", "gateway.admin.max-body-size")
            .Answers(StatusCodes.Status200OK, "The stored subscriber.", typeof(SubscriberView))
            .ProducesError(StatusCodes.Status400BadRequest, "the id or a field value is invalid, or the partner or group does not exist",
                ErrorCodes.InvalidId, ErrorCodes.MissingField, ErrorCodes.InvalidE164, ErrorCodes.InvalidDomain,
                ErrorCodes.PartnerNotFound, ErrorCodes.GroupNotFound)
            .ProducesError(StatusCodes.Status409Conflict, "the `did` or `mobile` is another subscriber's DID or mobile",
                ErrorCodes.DidInUse, ErrorCodes.MobileInUse);
        admin.MapGet("/subscribers/{subrId}", GetSubscriber)
            .WithSummary("Read a subscriber")
            .Answers(StatusCodes.Status200OK, "The subscriber.", typeof(SubscriberView))
            .ProducesError(StatusCodes.Status404NotFound, "the subscriber does not exist", ErrorCodes.NotFound);
        admin.MapDelete("/subscribers/{subrId}", DeleteSubscriber)
            .WithSummary("Delete a subscriber")
            .Answers(StatusCodes.Status204NoContent, "Deleted; its numbers are free again.")
            .ProducesError(StatusCodes.Status404NotFound, "the subscriber does not exist", ErrorCodes.NotFound);

        return admin;
    }

    /// <summary>
    /// <c>/admin</c> routes: the admin token's filter, the OpenAPI tag, and the 401 and 503 answers
    /// (<paramref name="unavailableWhen"/> says when a 503 comes).
    /// </summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder app, string unavailableWhen) =>
        app.MapGroup("/admin")
            .AddEndpointFilter<AdminAuthFilter>()
            .WithTags("Admin")
            .ProducesError(StatusCodes.Status401Unauthorized,
                "`Authorization: Bearer <admin token>` missing, malformed or wrong", ErrorCodes.Unauthorized)
            .ProducesError(StatusCodes.Status503ServiceUnavailable, unavailableWhen, ErrorCodes.ServiceUnavailable);

    // ---- lists, in id order, a page at a time: ?after=<last id of the previous page>&limit=<1..1000>

    public static IResult ListPartners(string? after, string? limit, [AsParameters] AdminServices services) =>
        List(services, c => c.Partners, p => p.Id.Value, PartnerView.Of, after, limit);

    public static IResult ListRecordingServers(string? after, string? limit, [AsParameters] AdminServices services) =>
        List(services, c => c.RecordingServers, r => r.Id.Value, RecordingServerView.Of, after, limit);

    public static IResult ListGroups(string? after, string? limit, [AsParameters] AdminServices services) =>
        List(services, c => c.Groups, g => g.Id.Value, GroupView.Of, after, limit);

    public static IResult ListSubscribers(string? after, string? limit, [AsParameters] AdminServices services) =>
        List(services, c => c.Subscribers, s => s.Id.Value, SubscriberView.Of, after, limit);

    // ---- partners

    public static Task<IResult> PutPartner(string partnerId, [AsParameters] AdminServices services) =>
        Save(services, PartnerId.TryParse(partnerId, out var id), "partnerId",
            body =>
            {
                var fields = JsonFields.Of(body, "primaryUrl", "secondaryUrl", "clientSecret", "securityToken");
                var partner = new PartnerFields(fields.String("primaryUrl"), fields.String("secondaryUrl"),
                    fields.String("clientSecret"), fields.String("securityToken"));
                return fields.Error is { } shapeError ? shapeError : ProvisioningRules.Partner(id, partner);
            },
            partner => new SavePartner(partner), PartnerView.Of);

    public static IResult GetPartner(string partnerId, [AsParameters] AdminServices services) =>
        Read(services, c => PartnerId.TryParse(partnerId, out var id) ? c.FindPartner(id) : null, PartnerView.Of, $"Partner '{partnerId}'");

    public static Task<IResult> DeletePartner(string partnerId, [AsParameters] AdminServices services) =>
        Delete(services, PartnerId.TryParse(partnerId, out var id) ? new DeletePartner(id) : null, $"Partner '{partnerId}'");

    // ---- recording servers

    public static Task<IResult> PutRecordingServer(string id, [AsParameters] AdminServices services) =>
        Save(services, RecordingServerId.TryParse(id, out var serverId), "id",
            body =>
            {
                var fields = JsonFields.Of(body, "name", "url", "authenticationKey");
                var server = new RecordingServerFields(fields.String("name"), fields.String("url"), fields.String("authenticationKey"));
                return fields.Error is { } shapeError ? shapeError : ProvisioningRules.RecordingServer(serverId, server);
            },
            server => new SaveRecordingServer(server), RecordingServerView.Of);

    public static IResult GetRecordingServer(string id, [AsParameters] AdminServices services) =>
        Read(services, c => RecordingServerId.TryParse(id, out var serverId) ? c.FindRecordingServer(serverId) : null, RecordingServerView.Of, $"Recording server '{id}'");

    public static Task<IResult> DeleteRecordingServer(string id, [AsParameters] AdminServices services) =>
        Delete(services, RecordingServerId.TryParse(id, out var serverId) ? new DeleteRecordingServer(serverId) : null,
            $"Recording server '{id}'");

    // ---- groups

    public static Task<IResult> PutGroup(string groupId, [AsParameters] AdminServices services) =>
        Save(services, GroupId.TryParse(groupId, out var id), "groupId",
            body =>
            {
                var fields = JsonFields.Of(body, "messageCopy");
                var copy = fields.Object("messageCopy", "enabled", "recordingServerId");
                var group = copy is null
                    ? new GroupFields(MessageCopyEnabled: false, RecordingServerId: null) // the seed's default: off
                    : new GroupFields(copy.Boolean("enabled"), copy.String("recordingServerId"));
                return fields.Error is { } shapeError ? shapeError : ProvisioningRules.Group(id, group);
            },
            group => new SaveGroup(group), GroupView.Of);

    public static IResult GetGroup(string groupId, [AsParameters] AdminServices services) =>
        Read(services, c => GroupId.TryParse(groupId, out var id) ? c.FindGroup(id) : null, GroupView.Of, $"Group '{groupId}'");

    public static Task<IResult> DeleteGroup(string groupId, [AsParameters] AdminServices services) =>
        Delete(services, GroupId.TryParse(groupId, out var id) ? new DeleteGroup(id) : null, $"Group '{groupId}'");

    // ---- subscribers

    public static Task<IResult> PutSubscriber(string subrId, [AsParameters] AdminServices services) =>
        Save(services, SubscriberId.TryParse(subrId, out var id), "subrId",
            body =>
            {
                var fields = JsonFields.Of(body, "mobile", "did", "domain", "partnerId", "groupId");
                var subscriber = new SubscriberFields(fields.String("mobile"), fields.String("did"), fields.String("domain"),
                    fields.String("partnerId"), fields.String("groupId"));
                return fields.Error is { } shapeError ? shapeError : ProvisioningRules.Subscriber(id, subscriber);
            },
            subscriber => new SaveSubscriber(subscriber), SubscriberView.Of);

    public static IResult GetSubscriber(string subrId, [AsParameters] AdminServices services) =>
        Read(services, c => SubscriberId.TryParse(subrId, out var id) ? c.FindSubscriber(id) : null, SubscriberView.Of, $"Subscriber '{subrId}'");

    public static Task<IResult> DeleteSubscriber(string subrId, [AsParameters] AdminServices services) =>
        Delete(services, SubscriberId.TryParse(subrId, out var id) ? new DeleteSubscriber(id) : null, $"Subscriber '{subrId}'");

    // ---- the shared pipeline: read and check the body, ask the authority, wait for the local directory

    private static async Task<IResult> Save<TResource>(
        AdminServices services,
        bool idIsValid,
        string idName,
        Func<System.Text.Json.JsonElement, Result<TResource>> read,
        Func<TResource, IProvisioningCommand> toCommand,
        Func<TResource, object> view)
    {
        var (document, bodyError) = await JsonRequest.ReadObjectAsync(
            services.HttpContext.Request, services.Settings.Admin.MaxBodySize, services.Aborted);
        if (bodyError is not null)
            return bodyError.ToResult();
        using (document)
        {
            if (!idIsValid)
                return ApiError.From(ProvisioningRules.InvalidId(idName)).ToResult();
            var resource = read(document!.RootElement);
            if (!resource.IsOk)
                return ApiError.From(resource.Error).ToResult();
            var outcome = await Ask(services, toCommand(resource.Value));
            return outcome ?? TypedResults.Ok(view(resource.Value));
        }
    }

    /// <summary>A resource from this node's directory; 503 while the directory is still loading (a 404 then could be wrong).</summary>
    private static IResult Read<TResource>(AdminServices services, Func<Catalog, TResource?> find, Func<TResource, object> view, string what)
        where TResource : class
    {
        if (!services.Directory.IsLoaded)
            return Unavailable(services, "This node is still loading the provisioning catalog; retry shortly.");
        return find(services.Directory.Catalog) is { } found ? TypedResults.Ok(view(found)) : ApiError.NotFound(what).ToResult();
    }

    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    private static IResult List<TResource>(AdminServices services, Func<Catalog, IEnumerable<TResource>> all,
        Func<TResource, string> idOf, Func<TResource, object> view, string? after, string? limit)
    {
        var pageSize = DefaultPageSize;
        if (limit is not null && (!int.TryParse(limit, System.Globalization.NumberStyles.None, null, out pageSize) || pageSize is < 1 or > MaxPageSize))
            return ApiError.BadRequest(ErrorCodes.InvalidParameter, $"Query parameter 'limit' must be a whole number from 1 to {MaxPageSize}.").ToResult();
        if (!services.Directory.IsLoaded)
            return Unavailable(services, "This node is still loading the provisioning catalog; retry shortly.");
        var page = all(services.Directory.Catalog)
            .Where(r => after is null || string.CompareOrdinal(idOf(r), after) > 0)
            .OrderBy(idOf, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var items = page.Take(pageSize).ToList();
        var next = page.Count > pageSize ? idOf(items[^1]) : null;
        return TypedResults.Ok(new PageView(items.Select(view).ToList(), next));
    }

    private static IResult Unavailable(AdminServices services, string message)
    {
        services.HttpContext.Response.Headers.RetryAfter = "1";
        return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, message).ToResult();
    }

    private static async Task<IResult> Delete(AdminServices services, IProvisioningCommand? command, string what)
    {
        if (command is null)
            return ApiError.NotFound(what).ToResult();
        return await Ask(services, command) ?? TypedResults.NoContent();
    }

    /// <summary>Null when the authority applied the command and this node's directory has it; else the error result.</summary>
    private static async Task<IResult?> Ask(AdminServices services, IProvisioningCommand command)
    {
        object reply;
        try
        {
            reply = await services.Authority.ActorRef.Ask<object>(command, services.Settings.Admin.AskTimeout, services.Aborted);
        }
        catch (AskTimeoutException)
        {
            return Unavailable(services,
                "The provisioning service did not answer in time (the journal may be unavailable, or the " +
                "service is moving to another node). The change may not have been stored; retry the request.");
        }
        switch (reply)
        {
            case ProvisioningProtocol.Refused refused:
                return ApiError.From(refused.Error).ToResult();
            case ProvisioningProtocol.Applied applied:
                if (applied.Event is not null)
                    services.Directory.Apply(applied.SequenceNr, applied.Event);
                var missing = await ProvisioningPropagation.WaitForEveryNodeAsync(services.System, services.Directory,
                    applied.SequenceNr, services.Settings.Provisioning.DirectoryWait, services.Aborted);
                if (missing.Count > 0)
                    services.Logger.LogWarning(
                        "Provisioning change {SequenceNr} is stored but not yet seen by {Nodes}; they read it at their next journal poll",
                        applied.SequenceNr, string.Join(", ", missing));
                return null;
            default:
                throw new InvalidOperationException($"Unexpected reply {reply.GetType().Name} from the provisioning authority.");
        }
    }
}
