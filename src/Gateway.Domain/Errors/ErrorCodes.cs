namespace Gateway.Domain.Errors;

/// <summary>
/// The stable error codes of the admin and partner APIs. Partners and operators program against these strings:
/// never rename one; add new ones instead. The table in docs/errors.md lists them with their status.
/// </summary>
public static class ErrorCodes
{
    // request shape
    public const string MalformedJson = "malformed_json";
    public const string BodyNotObject = "body_not_object";
    public const string MissingField = "missing_field";
    public const string InvalidFieldType = "invalid_field_type";
    public const string UnknownField = "unknown_field";
    public const string DuplicateField = "duplicate_field";
    public const string UnsupportedMediaType = "unsupported_media_type";
    public const string PayloadTooLarge = "payload_too_large";
    public const string InvalidParameter = "invalid_parameter";

    // field values
    public const string InvalidId = "invalid_id";
    public const string InvalidE164 = "invalid_e164";
    public const string InvalidUrl = "invalid_url";
    public const string InvalidSecret = "invalid_secret";
    public const string InvalidDomain = "invalid_domain";
    public const string InvalidName = "invalid_name";

    // message fields (partner API)
    public const string InvalidMessageType = "invalid_message_type";
    public const string InvalidText = "invalid_text";
    public const string InvalidRecipients = "invalid_recipients";
    public const string InvalidMedia = "invalid_media";
    public const string OwnerNotFound = "owner_not_found";
    public const string InvalidIdempotencyKey = "invalid_idempotency_key";
    public const string IdempotencyKeyReused = "idempotency_key_reused";
    public const string MessageNotFound = "message_not_found";
    public const string RateLimited = "rate_limited";

    // simulator
    public const string MessageRefused = "message_refused";
    public const string InvalidAddress = "invalid_address";
    public const string UnsupportedContentType = "unsupported_content_type";
    public const string InvalidBase64 = "invalid_base64";
    public const string EmptyMedia = "empty_media";
    public const string MediaTooLarge = "media_too_large";

    // references and conflicts
    public const string PartnerNotFound = "partner_not_found";
    public const string GroupNotFound = "group_not_found";
    public const string RecordingServerNotFound = "recording_server_not_found";
    public const string DidInUse = "did_in_use";
    public const string MobileInUse = "mobile_in_use";
    public const string ClientSecretInUse = "client_secret_in_use";
    public const string PartnerInUse = "partner_in_use";
    public const string GroupInUse = "group_in_use";
    public const string RecordingServerInUse = "recording_server_in_use";

    // access and availability
    public const string Unauthorized = "unauthorized";
    public const string NotFound = "not_found";
    public const string MethodNotAllowed = "method_not_allowed";
    public const string HttpError = "http_error";
    public const string ServiceUnavailable = "service_unavailable";
}
