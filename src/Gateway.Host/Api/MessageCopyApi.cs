using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;

namespace Gateway.Host.Api;

/// <summary>
/// The Message Copy backlog (CONTRACT §6), read from the database every node shares, so any node
/// answers for the whole cluster: per recording server the copies waiting, the oldest one's age, and
/// how its offload went last.
/// </summary>
public static class MessageCopyApi
{
    public static RouteGroupBuilder MapMessageCopyApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup(
            "the database is unreachable, or this node is still loading the catalog; retry after `Retry-After`");

        admin.MapGet("/message-copy/backlog", GetAllBacklogs)
            .WithSummary("The Message Copy backlog of every recording server")
            .Answers(StatusCodes.Status200OK,
                "Every provisioned recording server, and every deleted one that still has copies waiting, in id order.",
                typeof(BacklogList));
        admin.MapGet("/recording-servers/{id}/backlog", GetBacklog)
            .WithSummary("A recording server's Message Copy backlog")
            .WithPathParameter("id", ResourceIdRule.Description)
            .Answers(StatusCodes.Status200OK, "The copies waiting for the server and its last offload cycle.", typeof(BacklogView))
            .ProducesError(StatusCodes.Status404NotFound, "the recording server does not exist and has no copies waiting", ErrorCodes.NotFound);
        return admin;
    }

    public static async Task<IResult> GetAllBacklogs(MessageCopyStore store, ProvisioningDirectory directory, TimeProvider clock, HttpContext context)
    {
        if (!directory.IsLoaded)
            return Unavailable(context, "This node is still loading the provisioning catalog; retry shortly.");
        if (await ReadAsync(store, clock, context) is not { } backlog)
            return Unavailable(context, "The Message Copy backlog could not be read (the database is unreachable); retry shortly.");
        var catalog = directory.Catalog;
        var byId = backlog.ToDictionary(b => b.RecordingServerId);
        var ids = catalog.RecordingServers.Select(s => s.Id.Value)
            .Concat(backlog.Where(b => b.Count > 0).Select(b => b.RecordingServerId))
            .Distinct()
            .Order(StringComparer.Ordinal);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(new BacklogList([.. ids.Select(id => BacklogView.Of(
            byId.GetValueOrDefault(id) ?? Empty(id, now), catalog.FindRecordingServer(new RecordingServerId(id)) is not null))]));
    }

    public static async Task<IResult> GetBacklog(string id, MessageCopyStore store, ProvisioningDirectory directory, TimeProvider clock, HttpContext context)
    {
        if (!directory.IsLoaded)
            return Unavailable(context, "This node is still loading the provisioning catalog; retry shortly.");
        if (!RecordingServerId.TryParse(id, out var serverId))
            return ApiError.NotFound($"Recording server '{id}'").ToResult();
        if (await ReadAsync(store, clock, context) is not { } backlog)
            return Unavailable(context, "The Message Copy backlog could not be read (the database is unreachable); retry shortly.");
        var provisioned = directory.Catalog.FindRecordingServer(serverId) is not null;
        var found = backlog.FirstOrDefault(b => b.RecordingServerId == serverId.Value);
        if (!provisioned && found is not { Count: > 0 })
            return ApiError.NotFound($"Recording server '{id}'").ToResult();
        return TypedResults.Ok(BacklogView.Of(found ?? Empty(serverId.Value, clock.GetUtcNow()), provisioned));
    }

    private static async Task<IReadOnlyList<RecordingServerBacklog>?> ReadAsync(MessageCopyStore store, TimeProvider clock, HttpContext context)
    {
        try
        {
            return await store.BacklogAsync(clock.GetUtcNow(), context.RequestAborted);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or InvalidOperationException)
        {
            return null;
        }
    }

    private static RecordingServerBacklog Empty(string id, DateTimeOffset now) => new(id, 0, null, now, null, null, null, null);

    private static IResult Unavailable(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "1";
        return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, message).ToResult();
    }

    public sealed record BacklogList(IReadOnlyList<BacklogView> RecordingServers);

    /// <param name="Provisioned">False for a deleted recording server whose copies still wait (they go if it is provisioned again).</param>
    /// <param name="OldestAgeSeconds">How long the oldest waiting copy has waited, in seconds (milliseconds precision); null when none waits.</param>
    /// <param name="LastFailure">The last cycle that stopped on a failure, kept after later successes (compare with <paramref name="LastSuccessAt"/>).</param>
    public sealed record BacklogView(
        string RecordingServerId,
        bool Provisioned,
        long Count,
        string? OldestCapturedAt,
        double? OldestAgeSeconds,
        string? LastCycleAt,
        string? LastSuccessAt,
        FailureView? LastFailure)
    {
        public static BacklogView Of(RecordingServerBacklog backlog, bool provisioned) => new(
            backlog.RecordingServerId,
            provisioned,
            backlog.Count,
            Time(backlog.OldestCapturedAt),
            backlog.OldestAge is { } age ? Math.Round(Math.Max(age.TotalSeconds, 0), 3) : null,
            Time(backlog.LastCycleAt),
            Time(backlog.LastSuccessAt),
            backlog.LastFailureAt is { } at ? new FailureView(Timestamps.ToContract(at), backlog.LastFailure ?? "") : null);

        private static string? Time(DateTimeOffset? time) => time is { } t ? Timestamps.ToContract(t) : null;
    }

    public sealed record FailureView(string At, string Reason);
}
