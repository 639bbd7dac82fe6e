using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Media;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Configuration;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Gateway.Host.Auth;
using Microsoft.Net.Http.Headers;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Host.Api;

/// <summary>What the partner API's handlers need, injected as one <c>[AsParameters]</c> record.</summary>
public sealed record PartnerServices(
    IRequiredActor<SubscriberRegion> Subscribers,
    ProvisioningDirectory Directory,
    GatewaySettings Settings,
    SubscriberSettings SubscriberSettings,
    HttpContext HttpContext)
{
    public CancellationToken Aborted => HttpContext.RequestAborted;
}

/// <summary>
/// Terminations (CONTRACT §3): <c>POST /v1/messages</c>. Checks run in the contract's order: the
/// partner's bearer token (401), body size (413), <c>Content-Type</c> (415), JSON and fields (400,
/// 413/415 for media), the owner (404); the answer <c>202</c> comes only once the subscriber entity
/// has journaled the message.
/// </summary>
public static class PartnerApi
{
    private const int MaxTextCodePoints = 1600;

    public static RouteGroupBuilder MapPartnerApi(this IEndpointRouteBuilder app)
    {
        var partner = app.MapGroup("/v1").WithTags("Partner");
        partner.MapPost("/messages", PostMessage);
        return partner;
    }

    public static async Task<IResult> PostMessage([AsParameters] PartnerServices services)
    {
        var request = services.HttpContext.Request;
        if (!BearerToken.TryRead(request, out var token) || services.Directory.Catalog.FindPartnerByClientSecret(token) is not { } partner)
        {
            services.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
            return new ApiError(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
                "Send 'Authorization: Bearer <clientSecret>' with the partner's client secret.").ToResult();
        }

        var (document, bodyError) = await JsonRequest.ReadObjectAsync(request, services.Settings.PartnerApi.MaxBodySize, services.Aborted);
        if (bodyError is not null)
            return bodyError.ToResult();
        using (document)
        {
            var content = ReadTermination(document!.RootElement, services.Settings.PartnerApi.MaxMediaSize);
            if (!content.IsOk)
                return ApiError.From(content.Error).ToResult();

            var owner = E164Number.Parse(content.Value.Owner);
            if (services.Directory.Catalog.FindSubscriberByDid(owner) is not { } subscriber || subscriber.PartnerId != partner.Id)
                return new ApiError(StatusCodes.Status404NotFound, ErrorCodes.OwnerNotFound,
                    $"'{owner}' is not the DID of one of your subscribers.").ToResult();

            object reply;
            try
            {
                var region = await services.Subscribers.GetAsync(services.Aborted);
                reply = await region.Ask<object>(new AcceptTermination(subscriber.Id.Value, content.Value),
                    services.SubscriberSettings.AcceptTimeout, services.Aborted);
            }
            catch (AskTimeoutException)
            {
                services.HttpContext.Response.Headers.RetryAfter = "1";
                return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable,
                    "The message could not be journaled in time; retry.").ToResult();
            }
            return reply switch
            {
                Accepted { Id: { } id } => TypedResults.Json(new AcceptedView(id.Value, "accepted"), statusCode: StatusCodes.Status202Accepted),
                Refused refused => ApiError.BadRequest(refused.Code, refused.Message).ToResult(),
                _ => new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, "Unexpected answer; retry.").ToResult(),
            };
        }
    }

    /// <summary>The fields of a termination, checked (CONTRACT §3).</summary>
    public static Result<MessageContent> ReadTermination(JsonElement body, long maxMediaBytes)
    {
        var fields = JsonFields.Of(body, "type", "from", "to", "owner", "text", "media");
        var typeText = fields.String("type");
        var fromText = fields.String("from");
        var to = fields.Strings("to");
        var ownerText = fields.String("owner");
        var text = fields.String("text");
        var media = fields.Objects("media", "contentType", "fileName", "content");
        if (fields.Error is { } shapeError)
            return shapeError;

        MessageType type;
        switch (typeText)
        {
            case null:
                return DomainError.Invalid(ErrorCodes.MissingField, "Field 'type' is required: \"sms\" or \"mms\".");
            case "sms":
                type = MessageType.Sms;
                break;
            case "mms":
                type = MessageType.Mms;
                break;
            default:
                return DomainError.Invalid(ErrorCodes.InvalidMessageType, "Field 'type' must be \"sms\" or \"mms\".");
        }

        var from = SenderAddress.Validate("from", fromText);
        if (!from.IsOk)
            return from.Error;
        if (ownerText is null)
            return DomainError.Invalid(ErrorCodes.MissingField, "Field 'owner' is required: the DID of the receiving subscriber.");
        if (!E164Number.TryParse(ownerText, out var owner))
            return DomainError.Invalid(ErrorCodes.InvalidE164, "Field 'owner' must be E.164: '+' then 8 to 15 digits, the first 1-9.");
        if (to is null)
            return DomainError.Invalid(ErrorCodes.MissingField, "Field 'to' is required: every participant, the owner included.");
        var recipients = ReadRecipients(to, owner, type);
        if (!recipients.IsOk)
            return recipients.Error;

        if (text is not null && (text.Length == 0 || CodePoints(text) > MaxTextCodePoints))
            return DomainError.Invalid(ErrorCodes.InvalidText, $"Field 'text' must have 1 to {MaxTextCodePoints} characters.");

        if (type == MessageType.Sms)
        {
            if (text is null)
                return DomainError.Invalid(ErrorCodes.InvalidText, "An SMS needs a 'text'.");
            if (media is { Count: > 0 })
                return DomainError.Invalid(ErrorCodes.InvalidMedia, "An SMS has no 'media'; send type \"mms\".");
            return new MessageContent(type, from.Value.Value, recipients.Value, owner.Value, text, []);
        }

        if (text is null && media is not { Count: > 0 })
            return DomainError.Invalid(ErrorCodes.InvalidMedia, "An MMS needs a 'text', 'media', or both.");
        var items = ReadMedia(media ?? [], maxMediaBytes);
        if (!items.IsOk)
            return items.Error;
        return new MessageContent(type, from.Value.Value, recipients.Value, owner.Value, text, items.Value);
    }

    private static Result<IReadOnlyList<string>> ReadRecipients(IReadOnlyList<string> to, E164Number owner, MessageType type)
    {
        if (to.Count == 0)
            return DomainError.Invalid(ErrorCodes.InvalidRecipients, "Field 'to' must list every participant, the owner included.");
        if (type == MessageType.Sms && to.Count != 1)
            return DomainError.Invalid(ErrorCodes.InvalidRecipients, "An SMS has exactly one 'to': the owner.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < to.Count; i++)
        {
            if (!E164Number.TryParse(to[i], out _))
                return DomainError.Invalid(ErrorCodes.InvalidRecipients, $"Field 'to[{i}]' must be E.164: '+' then 8 to 15 digits, the first 1-9.");
            if (!seen.Add(to[i]))
                return DomainError.Invalid(ErrorCodes.InvalidRecipients, $"Field 'to[{i}]' repeats a number.");
        }
        if (!seen.Contains(owner.Value))
            return DomainError.Invalid(ErrorCodes.InvalidRecipients, "Field 'to' must include the 'owner'.");
        return Result<IReadOnlyList<string>>.Ok(to);
    }

    /// <summary>Media items, checked in order (content type, base64, the message's total size); shared with the simulator.</summary>
    internal static Result<IReadOnlyList<MediaItem>> ReadMedia(IReadOnlyList<JsonFields> media, long maxMediaBytes)
    {
        var budget = new MediaBudget(maxMediaBytes);
        var items = new List<MediaItem>(media.Count);
        for (var i = 0; i < media.Count; i++)
        {
            var item = media[i];
            var contentTypeText = item.String("contentType");
            var fileName = item.String("fileName");
            var contentText = item.String("content");
            if (item.Error is { } shapeError)
                return shapeError;
            if (contentTypeText is null)
                return DomainError.Invalid(ErrorCodes.InvalidMedia, $"Field '{item.PathOf("contentType")}' is required.");
            var contentType = MediaContentType.Validate(item.PathOf("contentType"), contentTypeText);
            if (!contentType.IsOk)
                return contentType.Error;
            if (contentText is null)
                return DomainError.Invalid(ErrorCodes.InvalidMedia, $"Field '{item.PathOf("content")}' is required: the base64 content.");
            var bytes = MediaDecoder.Decode(item.PathOf("content"), contentText, budget);
            if (!bytes.IsOk)
                return bytes.Error;
            items.Add(new MediaItem(contentType.Value.Value, fileName, bytes.Value));
        }
        return items;
    }

    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
            count++;
        return count;
    }

    public sealed record AcceptedView(string Id, string Status);
}
