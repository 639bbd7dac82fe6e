using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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
using Gateway.Engine.StatusView;
using Gateway.Engine.Storage;
using Gateway.Engine.Subscribers;
using Gateway.Host.Auth;
using Gateway.Host.Limits;
using Microsoft.Net.Http.Headers;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Host.Api;

/// <summary>What the partner API's handlers need, injected as one <c>[AsParameters]</c> record.</summary>
public sealed record PartnerServices(
    ActorSystem System,
    IRequiredActor<SubscriberRegion> Subscribers,
    ProvisioningDirectory Directory,
    GatewaySettings Settings,
    SubscriberSettings SubscriberSettings,
    IdempotencyStore IdempotencyKeys,
    MessageStatusReader Statuses,
    PartnerIngressLimiter IngressLimit,
    InFlightLimiter InFlight,
    HttpContext HttpContext)
{
    public CancellationToken Aborted => HttpContext.RequestAborted;
}

/// <summary>
/// Terminations (CONTRACT §3): <c>POST /v1/messages</c>. Checks run in the contract's order: the
/// partner's bearer token (401), body size (413), <c>Content-Type</c> (415), JSON and fields (400,
/// 413/415 for media; then the <c>Idempotency-Key</c> header), the owner (404), the partner's ingress
/// rate (429, <see cref="PartnerIngressLimiter"/>); the answer <c>202</c>
/// comes only once the subscriber entity has journaled the message. <c>GET /v1/messages/{id}</c>
/// reads a message's status.
/// <para>
/// An <c>Idempotency-Key</c> is claimed in the shared database, with the body's SHA-256 and a message
/// id chosen up front, before the entity is asked; a repeat finds the claim and asks the entity for
/// that same id again (the entity answers without a second copy while the message is queued, and the
/// status view answers once it has left the queue). So a retry after a lost answer, a restart or on
/// another node gets the first message's id, and nothing twice.
/// </para>
/// </summary>
public static class PartnerApi
{
    private const int MaxTextCodePoints = 1600;

    public static RouteGroupBuilder MapPartnerApi(this IEndpointRouteBuilder app)
    {
        var partner = app.MapGroup("/v1").WithTags("Partner")
            .ProducesError(StatusCodes.Status401Unauthorized,
                "`Authorization: Bearer <partner clientSecret>` missing, malformed or wrong", ErrorCodes.Unauthorized);
        partner.MapPost("/messages", PostMessage)
            .WithSummary("Send a message to a subscriber (a termination)")
            .WithDescription("Checks run in this order and the first failure answers: authentication (401), body size (413), " +
                "`Content-Type` (415), JSON and fields (400; 413 and 415 for media), the `Idempotency-Key` header (400), " +
                "the owner (404), the partner's rate (429). 202 only once the message is journaled.")
            .WithHeaderParameter(IdempotencyKeyHeader,
                "Optional, 1 to 255 printable ASCII characters, sent once. A repeat from the same partner within " +
                "`gateway.partner-api.idempotency-key-ttl` (24 h) answers the first request's result and creates nothing new.")
            .ReadsJsonBody(typeof(TerminationRequest), "The message. Property names match case-insensitively.",
                "gateway.partner-api.max-body-size")
            .Answers(StatusCodes.Status202Accepted, "The message is durably journaled.", typeof(AcceptedView))
            .ProducesError(StatusCodes.Status400BadRequest, "a field, a combination of fields or the `Idempotency-Key` header is invalid",
                ErrorCodes.MissingField, ErrorCodes.InvalidMessageType, ErrorCodes.InvalidAddress, ErrorCodes.InvalidE164,
                ErrorCodes.InvalidRecipients, ErrorCodes.InvalidText, ErrorCodes.InvalidMedia, ErrorCodes.EmptyMedia,
                ErrorCodes.InvalidBase64, ErrorCodes.InvalidIdempotencyKey)
            .ProducesError(StatusCodes.Status404NotFound, "`owner` is not a subscriber DID of the calling partner", ErrorCodes.OwnerNotFound)
            .ProducesError(StatusCodes.Status413PayloadTooLarge, "the decoded media exceed `gateway.partner-api.max-media-size`",
                ErrorCodes.MediaTooLarge)
            .ProducesError(StatusCodes.Status415UnsupportedMediaType, "a media `contentType` is not supported", ErrorCodes.UnsupportedContentType)
            .ProducesError(StatusCodes.Status422UnprocessableEntity, "the `Idempotency-Key` was used with a different body",
                ErrorCodes.IdempotencyKeyReused)
            .ProducesError(StatusCodes.Status429TooManyRequests,
                "the partner is over its ingress rate (`GATEWAY_INGRESS_RATE` per second, per node); nothing was stored, retry after `Retry-After`",
                ErrorCodes.RateLimited)
            .ProducesError(StatusCodes.Status503ServiceUnavailable,
                "the node cannot take more work right now (too many requests in flight, the message not journaled within "
                + "`gateway.delivery.accept-timeout`, journal or database down); nothing was stored, retry after `Retry-After`",
                ErrorCodes.ServiceUnavailable);
        partner.MapGet("/messages/{id}", GetMessage)
            .WithSummary("Read a message's status")
            .WithPathParameter("id", "A message id (`msg_` and 32 hex digits).")
            .Answers(StatusCodes.Status200OK, "The message's status; every field is present (null when it has no value).", typeof(MessageView))
            .ProducesError(StatusCodes.Status404NotFound,
                "no such message, an id that is not a message id, or a message of another partner's subscriber", ErrorCodes.MessageNotFound)
            .ProducesError(StatusCodes.Status503ServiceUnavailable, "the gateway's database cannot be reached; retry", ErrorCodes.ServiceUnavailable);
        return partner;
    }

    public static async Task<IResult> PostMessage([AsParameters] PartnerServices services)
    {
        var request = services.HttpContext.Request;
        if (Authenticate(services) is not { } partner)
            return Unauthorized(services.HttpContext);
        using var permit = services.InFlight.TryEnter();
        if (permit is null)
            return Unavailable(services.HttpContext, "This node is handling as many messages as it can right now; nothing was stored. Retry.");

        var (document, bodyError) = await JsonRequest.ReadObjectAsync(request, services.Settings.PartnerApi.MaxBodySize, services.Aborted);
        if (bodyError is not null)
            return bodyError.ToResult();
        using (document)
        {
            var content = ReadTermination(document!.RootElement, services.Settings.PartnerApi.MaxMediaSize);
            if (!content.IsOk)
                return ApiError.From(content.Error).ToResult();
            var idempotencyKey = ReadIdempotencyKey(request);
            if (!idempotencyKey.IsOk)
                return ApiError.From(idempotencyKey.Error).ToResult();

            var owner = E164Number.Parse(content.Value.Owner);
            if (services.Directory.Catalog.FindSubscriberByDid(owner) is not { } subscriber || subscriber.PartnerId != partner.Id)
                return new ApiError(StatusCodes.Status404NotFound, ErrorCodes.OwnerNotFound,
                    $"'{owner}' is not the DID of one of your subscribers.").ToResult();

            if (services.IngressLimit.TryAcquire(partner.Id.Value) is { } retryAfter)
            {
                services.HttpContext.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                return new ApiError(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
                    $"More than {services.Settings.PartnerApi.IngressRate} messages per second; retry after {retryAfter} s.").ToResult();
            }

            if (idempotencyKey.Value is not { } key)
                return await AcceptAsync(services, new AcceptTermination(subscriber.Id.Value, content.Value));
            try
            {
                return await AcceptOnceAsync(services, partner, subscriber, key, document.RootElement.GetRawText(), content.Value);
            }
            catch (DbException)
            {
                return StorageUnavailable(services.HttpContext);
            }
        }
    }

    /// <summary>A termination with an <c>Idempotency-Key</c>: claim the key, then accept under the claimed id.</summary>
    private static async Task<IResult> AcceptOnceAsync(
        PartnerServices services, Partner partner, Subscriber subscriber, string key, string body, MessageContent content)
    {
        var requestHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var now = DateTimeOffset.UtcNow;
        var candidate = new IdempotencyRecord(requestHash, MessageId.New(now), subscriber.Id.Value, now);
        var (claim, isNew) = await services.IdempotencyKeys.ClaimAsync(partner.Id.Value, key, candidate,
            services.Settings.PartnerApi.IdempotencyKeyTtl, services.Aborted);
        if (claim.RequestHash != requestHash)
            return new ApiError(StatusCodes.Status422UnprocessableEntity, ErrorCodes.IdempotencyKeyReused,
                "This Idempotency-Key was used with a different body; use a new key for a new message.").ToResult();
        var accept = new AcceptTermination(claim.SubscriberId, content, claim.MessageId);
        object? reply;
        if (isNew)
        {
            reply = await AskSubscriberAsync(services, WithDeadline(services, accept));
        }
        else
        {
            // A repeat. The entity knows a queued message, and one whose write is under way (or being
            // withdrawn); the status view, read up to the journal's head, knows a finished one. Only an
            // id neither has (never written, or withdrawn) is accepted again, under the same id.
            reply = await AskSubscriberAsync(services, new AwaitAccept(claim.SubscriberId, claim.MessageId));
            if (reply is NotQueued)
            {
                try
                {
                    if (await services.Statuses.FindCurrentAsync(claim.MessageId, services.Aborted) is not null)
                        return AcceptedResult(claim.MessageId);
                }
                catch (Exception ex) when (ex is TimeoutException or DbException)
                {
                    return Unavailable(services.HttpContext, "The status of this Idempotency-Key's message cannot be read right now; retry with the same key.");
                }
                reply = await AskSubscriberAsync(services, WithDeadline(services, accept));
            }
        }
        if (reply is Refused)
            await services.IdempotencyKeys.ReleaseAsync(partner.Id.Value, key, claim.MessageId, CancellationToken.None);
        return Answer(services, reply);
    }

    /// <summary>
    /// <c>GET /v1/messages/{id}</c> (CONTRACT §3): the calling partner's terminations and its
    /// subscribers' originations; anything else, malformed ids included, is the same 404. A message
    /// still queued is read from its subscriber entity (its live status: <c>queued</c> also when it
    /// waits behind a failing head), a finished one from the status view.
    /// </summary>
    public static async Task<IResult> GetMessage(string id, [AsParameters] PartnerServices services)
    {
        if (Authenticate(services) is not { } partner)
            return Unauthorized(services.HttpContext);
        var notFound = new ApiError(StatusCodes.Status404NotFound, ErrorCodes.MessageNotFound,
            $"No message '{id}' of yours exists.");
        MessageStatusRecord? record;
        try
        {
            record = MessageId.TryParse(id, out var parsed) ? await services.Statuses.FindAsync(parsed, services.Aborted) : null;
        }
        catch (DbException)
        {
            return StorageUnavailable(services.HttpContext);
        }
        if (record is null
            || services.Directory.Catalog.FindSubscriber(new SubscriberId(record.SubscriberId)) is not { } subscriber
            || subscriber.PartnerId != partner.Id)
            return notFound.ToResult();
        var messageId = record.Id;

        if (!record.IsFinal)
        {
            try
            {
                var region = await services.Subscribers.GetAsync(services.Aborted);
                var lookup = await region.Ask<MessageLookup>(new SubscriberProtocol.GetMessage(record.SubscriberId, messageId),
                    services.SubscriberSettings.AcceptTimeout, services.Aborted);
                // Not queued any more: it finished since the view was read.
                record = lookup.Message ?? await services.Statuses.FindAsync(messageId, services.Aborted) ?? record;
            }
            catch (Exception ex) when (ex is AskTimeoutException or DbException)
            {
                // The entity is busy or moving, or the view cannot be read again: the status read first is at most a poll old.
            }
        }
        return TypedResults.Ok(MessageView.Of(record));
    }

    private static Partner? Authenticate(PartnerServices services) =>
        BearerToken.TryRead(services.HttpContext.Request, out var token) ? services.Directory.Catalog.FindPartnerByClientSecret(token) : null;

    private static IResult Unauthorized(HttpContext context)
    {
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return new ApiError(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
            "Send 'Authorization: Bearer <clientSecret>' with the partner's client secret.").ToResult();
    }

    private static async Task<IResult> AcceptAsync(PartnerServices services, AcceptTermination command) =>
        Answer(services, await AskSubscriberAsync(services, WithDeadline(services, command)));

    /// <summary>
    /// The entity must have the message journaled by this deadline (on the actor system's clock) or not
    /// at all: a write not started by then is not made, one completing after it is withdrawn, and
    /// either way the answer is 503 with nothing stored.
    /// </summary>
    private static AcceptTermination WithDeadline(PartnerServices services, AcceptTermination command) =>
        command with { AcceptBy = services.System.Scheduler.Now + services.SubscriberSettings.AcceptTimeout };

    /// <summary>The entity's verdict, waited for a grace period beyond the deadline; null when none came.</summary>
    private static async Task<object?> AskSubscriberAsync(PartnerServices services, ISubscriberCommand command)
    {
        var settings = services.SubscriberSettings;
        try
        {
            var region = await services.Subscribers.GetAsync(services.Aborted);
            return await region.Ask<object>(command, settings.AcceptTimeout + settings.AcceptReplyGrace, services.Aborted);
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static IResult Answer(PartnerServices services, object? reply) => reply switch
    {
        Accepted { Id: { } id } => AcceptedResult(id),
        Refused refused => ApiError.BadRequest(refused.Code, refused.Message).ToResult(),
        DeadlinePassed => Unavailable(services.HttpContext,
            $"The message could not be journaled within {services.SubscriberSettings.AcceptTimeout.TotalSeconds:0.###} s; nothing was stored. Retry."),
        // No verdict: the subscriber's node did not answer. Its entity withdraws a write that completes
        // after the deadline, so only a verdict lost on its way back leaves a stored message behind; a
        // retry with the same Idempotency-Key then gets that message's id.
        _ => Unavailable(services.HttpContext,
            "The gateway did not confirm the message in time; retry (with the same Idempotency-Key, a retry never stores a second copy)."),
    };

    private static IResult StorageUnavailable(HttpContext context) =>
        Unavailable(context, "The gateway's database cannot be reached right now; nothing was stored. Retry.");

    private static IResult Unavailable(HttpContext context, string message)
    {
        context.Response.Headers.RetryAfter = "1";
        return new ApiError(StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, message).ToResult();
    }

    private static IResult AcceptedResult(MessageId id) =>
        TypedResults.Json(new AcceptedView(id.Value, "accepted"), statusCode: StatusCodes.Status202Accepted);

    private const int MaxIdempotencyKeyLength = 255;

    /// <summary>The optional <c>Idempotency-Key</c>: one header, 1 to 255 printable ASCII characters.</summary>
    private static Result<string?> ReadIdempotencyKey(HttpRequest request)
    {
        var values = request.Headers[IdempotencyKeyHeader];
        if (values.Count == 0)
            return Result<string?>.Ok(null);
        var key = values.Count == 1 ? values[0] : null;
        if (string.IsNullOrEmpty(key) || key.Length > MaxIdempotencyKeyLength || !key.All(c => c is >= ' ' and <= '~'))
            return DomainError.Invalid(ErrorCodes.InvalidIdempotencyKey,
                $"Header '{IdempotencyKeyHeader}' must be sent once, with 1 to {MaxIdempotencyKeyLength} printable ASCII characters.");
        return Result<string?>.Ok(key);
    }

    public const string IdempotencyKeyHeader = "Idempotency-Key";

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

    /// <summary>The body of <c>GET /v1/messages/{id}</c>; every field is present (null when it has no value).</summary>
    public sealed record MessageView(
        string Id, string Direction, string Type, string Status, int Attempts, string? LastError, string CreatedAt, string UpdatedAt, int? Segments)
    {
        public static MessageView Of(MessageStatusRecord record) =>
            new(record.Id.Value, Lower(record.Direction), Lower(record.Type), Lower(record.Status), record.Attempts, record.LastError,
                Timestamps.ToContract(record.CreatedAt), Timestamps.ToContract(record.UpdatedAt), record.Segments);

        private static string Lower<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
    }
}
