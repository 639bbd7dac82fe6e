using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Gateway.Host.Auth;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Host.Api;

/// <summary><c>GET /admin/subscribers/{subrId}/queue</c>: a subscriber's pending messages in each direction, in order.</summary>
public static class QueueApi
{
    public static RouteHandlerBuilder MapQueueApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/admin/subscribers/{subrId}/queue", GetQueue)
            .AddEndpointFilter<AdminAuthFilter>()
            .WithTags("Admin")
            .WithSummary("A subscriber's pending messages in each direction, in order")
            .WithPathParameter("subrId", ResourceIdRule.Description)
            .Answers(StatusCodes.Status200OK, "The pending messages: `mt` towards the handset, `mo` towards the partner.", typeof(QueueBody))
            .ProducesError(StatusCodes.Status401Unauthorized,
                "`Authorization: Bearer <admin token>` missing, malformed or wrong", ErrorCodes.Unauthorized)
            .ProducesError(StatusCodes.Status404NotFound, "the subscriber does not exist", ErrorCodes.NotFound)
            .ProducesError(StatusCodes.Status503ServiceUnavailable,
                "the subscriber's entity did not answer in time; retry after `Retry-After`", ErrorCodes.ServiceUnavailable);

    public static async Task<IResult> GetQueue(
        string subrId, IRequiredActor<SubscriberRegion> subscribers, ProvisioningDirectory directory, SubscriberSettings settings,
        HttpContext context)
    {
        if (!SubscriberId.TryParse(subrId, out var id) || directory.Catalog.FindSubscriber(id) is null)
            return ApiError.NotFound($"Subscriber '{subrId}'").ToResult();
        try
        {
            var region = await subscribers.GetAsync(context.RequestAborted);
            var view = await region.Ask<QueueView>(new GetQueue(id.Value), settings.AcceptTimeout, context.RequestAborted);
            return TypedResults.Ok(new QueueBody(view.Mt.Select(ItemView.Of).ToList(), view.Mo.Select(ItemView.Of).ToList()));
        }
        catch (AskTimeoutException)
        {
            context.Response.Headers.RetryAfter = "1";
            return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                "The subscriber's entity did not answer in time; retry.").ToResult();
        }
    }

    public sealed record QueueBody(IReadOnlyList<ItemView> Mt, IReadOnlyList<ItemView> Mo);

    public sealed record ItemView(string Id, string Status, int Attempts, string? NextAttemptAt, string ExpiresAt)
    {
        public static ItemView Of(QueueItem item) =>
            new(item.Id.Value, item.Status.ToString().ToLowerInvariant(), item.Attempts,
                item.NextAttemptAt is { } next ? Timestamps.ToContract(next) : null, Timestamps.ToContract(item.ExpiresAt));
    }
}
