using System.Text.Json;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Configuration;
using Gateway.Engine.Delivery;
using Gateway.Engine.Simulator;
using Gateway.Host.Auth;
using Gateway.Southbound.Configuration;
using Gateway.Southbound.Simulator;

namespace Gateway.Host.Api;

/// <summary>What the simulator's handlers need, injected as one <c>[AsParameters]</c> record.</summary>
public sealed record SimulatorServices(
    SimulatedMobileNetwork Network,
    ClusterInbox Inbox,
    ReplicatedHandsetReachability Reachability,
    IOriginationIngress Ingress,
    GatewaySettings Settings,
    NetworkSettings NetworkSettings,
    HttpContext HttpContext)
{
    public CancellationToken Aborted => HttpContext.RequestAborted;
}

/// <summary>
/// The embedded mobile-network simulator (CONTRACT §5), behind the admin token: make a handset send,
/// read what a handset received, switch a handset's reachability. Any node answers for the whole
/// cluster: the inbox is read from every node, and reachability is one setting for every node.
/// </summary>
public static class SimulatorApi
{
    public static RouteGroupBuilder MapSimulatorApi(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/sim/handsets/{mobile}")
            .AddEndpointFilter<AdminAuthFilter>()
            .WithTags("Simulator")
            .WithPathParameter("mobile", "The handset's number, E.164: '+' then 8 to 15 digits, the first 1-9.")
            .ProducesError(StatusCodes.Status401Unauthorized,
                "`Authorization: Bearer <admin token>` missing, malformed or wrong", ErrorCodes.Unauthorized);
        sim.MapPost("/messages", SendFromHandset)
            .WithSummary("Make a handset send a message to the gateway")
            .ReadsJsonBody(typeof(HandsetMessageRequest),
                "The message; an SMS is segmented as a handset would, then handed to the gateway's origination path.",
                "gateway.partner-api.max-body-size")
            .Answers(StatusCodes.Status202Accepted,
                "The gateway acknowledged every segment (after journaling it); `segments` and `encoding` are null for an MMS.",
                typeof(SentView))
            .ProducesError(StatusCodes.Status400BadRequest,
                "the number or a field is invalid, or the handset or the gateway refused the message",
                ErrorCodes.InvalidE164, ErrorCodes.InvalidMessageType, ErrorCodes.InvalidRecipients, ErrorCodes.InvalidAddress,
                ErrorCodes.InvalidMedia, ErrorCodes.EmptyMedia, ErrorCodes.InvalidBase64, ErrorCodes.MessageRefused)
            .ProducesError(StatusCodes.Status404NotFound, "the handset is not the mobile of a provisioned subscriber", ErrorCodes.NotFound)
            .ProducesError(StatusCodes.Status413PayloadTooLarge, "the decoded media exceed `gateway.partner-api.max-media-size`",
                ErrorCodes.MediaTooLarge)
            .ProducesError(StatusCodes.Status415UnsupportedMediaType, "a media `contentType` is not supported",
                ErrorCodes.UnsupportedContentType)
            .ProducesError(StatusCodes.Status503ServiceUnavailable, "the gateway did not acknowledge every segment; retry",
                ErrorCodes.ServiceUnavailable);
        sim.MapGet("/messages", ReadInbox)
            .WithSummary("What a handset has received, oldest first")
            .Answers(StatusCodes.Status200OK, "The received messages (`[]` when none); `segments` and `encoding` are null for an MMS.",
                typeof(IReadOnlyList<ReceivedView>))
            .ProducesError(StatusCodes.Status400BadRequest, "the number is not E.164", ErrorCodes.InvalidE164)
            .ProducesError(StatusCodes.Status503ServiceUnavailable,
                "a node of the cluster did not answer within `gateway.network.simulator-cluster-timeout` (the inbox would be incomplete); retry after `Retry-After`",
                ErrorCodes.ServiceUnavailable);
        sim.MapPut("/reachable", SetReachable)
            .WithSummary("Switch a handset's reachability, on every node of the cluster")
            .ReadsJsonBody(typeof(ReachableRequest), "While `reachable` is false, deliveries to the handset fail temporarily, on every node.",
                "gateway.admin.max-body-size")
            .Answers(StatusCodes.Status200OK, "Every node of the cluster holds the handset's reachability now.", typeof(ReachableView))
            .ProducesError(StatusCodes.Status400BadRequest, "the number is not E.164, or `reachable` is missing",
                ErrorCodes.InvalidE164, ErrorCodes.MissingField)
            .ProducesError(StatusCodes.Status503ServiceUnavailable,
                "not every node confirmed the change within `gateway.network.simulator-cluster-timeout` (it holds where it arrived and spreads when the nodes are reachable); retry after `Retry-After`",
                ErrorCodes.ServiceUnavailable);
        return sim;
    }

    public static async Task<IResult> SendFromHandset(string mobile, [AsParameters] SimulatorServices services)
    {
        var (document, bodyError) = await JsonRequest.ReadObjectAsync(
            services.HttpContext.Request, services.Settings.PartnerApi.MaxBodySize, services.Aborted);
        if (bodyError is not null)
            return bodyError.ToResult();
        using (document)
        {
            if (!E164Number.TryParse(mobile, out var handset))
                return InvalidMobile();
            var message = ReadHandsetMessage(document!.RootElement, services.Settings.PartnerApi.MaxMediaSize);
            if (!message.IsOk)
                return ApiError.From(message.Error).ToResult();

            var result = await services.Network.SendFromHandsetAsync(handset, message.Value, services.Ingress, services.Aborted);
            return result.Status switch
            {
                IngressStatus.Accepted => TypedResults.Json(
                    new SentView(result.Segments == 0 ? null : result.Segments, EncodingName(result.Encoding)),
                    statusCode: StatusCodes.Status202Accepted),
                IngressStatus.UnknownHandset => new ApiError(StatusCodes.Status404NotFound, ErrorCodes.NotFound,
                    $"'{handset}' is not the mobile of a provisioned subscriber.").ToResult(),
                IngressStatus.Refused => ApiError.BadRequest(ErrorCodes.MessageRefused, result.Error ?? "The network refused the message.").ToResult(),
                _ => new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                    result.Error ?? "The gateway did not acknowledge every segment; retry.").ToResult(),
            };
        }
    }

    public static async Task<IResult> ReadInbox(string mobile, [AsParameters] SimulatorServices services)
    {
        if (!E164Number.TryParse(mobile, out var handset))
            return InvalidMobile();
        var reading = await services.Inbox.ReadAsync(handset, services.Aborted);
        if (!reading.IsComplete)
        {
            return Unavailable(services,
                $"Node(s) {string.Join(", ", reading.SilentNodes)} did not answer within {Seconds(services)}; the inbox would be incomplete. Retry.");
        }
        return TypedResults.Ok(reading.Messages.Select(ReceivedView.Of).ToList());
    }

    public static async Task<IResult> SetReachable(string mobile, [AsParameters] SimulatorServices services)
    {
        var (document, bodyError) = await JsonRequest.ReadObjectAsync(
            services.HttpContext.Request, services.Settings.Admin.MaxBodySize, services.Aborted);
        if (bodyError is not null)
            return bodyError.ToResult();
        using (document)
        {
            if (!E164Number.TryParse(mobile, out var handset))
                return InvalidMobile();
            var fields = JsonFields.Of(document!.RootElement, "reachable");
            var reachable = fields.Boolean("reachable");
            if (fields.Error is { } error)
                return ApiError.From(error).ToResult();
            if (reachable is null)
                return ApiError.BadRequest(ErrorCodes.MissingField, "Field 'reachable' is required: true or false.").ToResult();
            if (!await services.Reachability.SetReachableAsync(handset, reachable.Value, services.Aborted))
            {
                return Unavailable(services,
                    $"Not every node of the cluster confirmed the change within {Seconds(services)}; it holds where it arrived and reaches the other nodes once they are reachable. Retry.");
            }
            return TypedResults.Ok(new ReachableView(handset.Value, reachable.Value));
        }
    }

    private static Result<HandsetMessage> ReadHandsetMessage(JsonElement body, long maxMediaBytes)
    {
        var fields = JsonFields.Of(body, "type", "to", "text", "media", "shuffle");
        var type = fields.String("type");
        var to = fields.Strings("to");
        var text = fields.String("text");
        var media = fields.Objects("media", "contentType", "fileName", "content");
        var shuffle = fields.Boolean("shuffle") ?? false;
        if (fields.Error is { } shapeError)
            return shapeError;
        var messageType = type switch
        {
            "sms" => MessageType.Sms,
            "mms" => MessageType.Mms,
            _ => (MessageType?)null,
        };
        if (messageType is null)
            return DomainError.Invalid(ErrorCodes.InvalidMessageType, "Field 'type' must be \"sms\" or \"mms\".");
        if (to is null || to.Count == 0)
            return DomainError.Invalid(ErrorCodes.InvalidRecipients, "Field 'to' must list the recipients (E.164 or short codes).");
        var recipients = new List<RecipientAddress>(to.Count);
        for (var i = 0; i < to.Count; i++)
        {
            var recipient = RecipientAddress.Validate($"to[{i}]", to[i]);
            if (!recipient.IsOk)
                return recipient.Error;
            recipients.Add(recipient.Value);
        }
        var items = PartnerApi.ReadMedia(media ?? [], maxMediaBytes);
        if (!items.IsOk)
            return items.Error;
        return new HandsetMessage(messageType.Value, recipients, text, items.Value, shuffle);
    }

    private static IResult Unavailable(SimulatorServices services, string message)
    {
        services.HttpContext.Response.Headers.RetryAfter = "1";
        return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, message).ToResult();
    }

    private static string Seconds(SimulatorServices services) =>
        $"{services.NetworkSettings.SimulatorClusterTimeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s";

    private static IResult InvalidMobile() =>
        ApiError.BadRequest(ErrorCodes.InvalidE164, "The handset's number must be E.164: '+' then 8 to 15 digits, the first 1-9.").ToResult();

    private static string? EncodingName(SmsEncoding? encoding) => encoding switch
    {
        SmsEncoding.Gsm7 => "gsm7",
        SmsEncoding.Ucs2 => "ucs2",
        _ => null,
    };

    public sealed record SentView(int? Segments, string? Encoding);

    public sealed record ReachableView(string Mobile, bool Reachable);

    public sealed record MediaView(string ContentType, string? FileName, string Content);

    public sealed record ReceivedView(
        string From, IReadOnlyList<string> To, string Type, string? Text, IReadOnlyList<MediaView> Media,
        int? Segments, string? Encoding, string ReceivedAt)
    {
        public static ReceivedView Of(ReceivedMessage m) =>
            new(m.From, m.To, m.Type == MessageType.Sms ? "sms" : "mms", m.Text,
                m.Media.Select(i => new MediaView(i.ContentType, i.FileName, Convert.ToBase64String(i.Content))).ToList(),
                m.Segments, EncodingName(m.Encoding), Timestamps.ToContract(m.ReceivedAt));
    }
}
