using System.Text.Json;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Configuration;
using Gateway.Engine.Delivery;
using Gateway.Host.Auth;
using Gateway.Southbound.Simulator;

namespace Gateway.Host.Api;

/// <summary>What the simulator's handlers need, injected as one <c>[AsParameters]</c> record.</summary>
public sealed record SimulatorServices(
    SimulatedMobileNetwork Network,
    IOriginationIngress Ingress,
    GatewaySettings Settings,
    HttpContext HttpContext)
{
    public CancellationToken Aborted => HttpContext.RequestAborted;
}

/// <summary>
/// The embedded mobile-network simulator (CONTRACT §5), behind the admin token: make a handset send,
/// read what a handset received, switch a handset's reachability.
/// </summary>
public static class SimulatorApi
{
    public static RouteGroupBuilder MapSimulatorApi(this IEndpointRouteBuilder app)
    {
        var sim = app.MapGroup("/sim/handsets/{mobile}")
            .AddEndpointFilter<AdminAuthFilter>()
            .WithTags("Simulator");
        sim.MapPost("/messages", SendFromHandset);
        sim.MapGet("/messages", ReadInbox);
        sim.MapPut("/reachable", SetReachable);
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

    public static IResult ReadInbox(string mobile, [AsParameters] SimulatorServices services)
    {
        if (!E164Number.TryParse(mobile, out var handset))
            return InvalidMobile();
        var inbox = services.Network.GetInbox(handset).Select(ReceivedView.Of).ToList();
        return TypedResults.Ok(inbox);
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
            services.Network.SetReachable(handset, reachable.Value);
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
