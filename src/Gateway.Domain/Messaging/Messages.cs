namespace Gateway.Domain.Messaging;

/// <summary>mt: partner → handset (termination); mo: handset → partner (origination).</summary>
public enum MessageDirection
{
    Mt,
    Mo,
}

public enum MessageType
{
    Sms,
    Mms,
}

/// <summary>
/// accepted: journaled, not yet tried; queued: waiting after a temporary failure or behind an older
/// message; delivered, failed, expired: final (CONTRACT §3).
/// </summary>
public enum MessageStatus
{
    Accepted,
    Queued,
    Delivered,
    Failed,
    Expired,
}

/// <summary>One MMS content item, decoded.</summary>
public sealed record MediaItem(string ContentType, string? FileName, byte[] Content);

/// <summary>
/// What a message says, in the partner API's terms: <paramref name="From"/> is E.164, a short code or
/// an alphanumeric sender; <paramref name="To"/> lists every participant; <paramref name="Owner"/> is
/// the gateway subscriber's DID.
/// </summary>
public sealed record MessageContent(
    MessageType Type,
    string From,
    IReadOnlyList<string> To,
    string Owner,
    string? Text,
    IReadOnlyList<MediaItem> Media);

/// <summary>How one delivery attempt ended.</summary>
public enum DeliveryResult
{
    Delivered,
    /// <summary>Try again later (handset unreachable; partner 408/429/5xx, timeout, connection error).</summary>
    TemporaryFailure,
    /// <summary>Never try again (partner 4xx other than 408/429; a message the network refuses).</summary>
    PermanentFailure,
}

/// <summary>The result of one delivery attempt and, for a failure, what went wrong (shown as <c>lastError</c>).</summary>
public sealed record DeliveryOutcome(DeliveryResult Result, string? Error)
{
    public static readonly DeliveryOutcome Delivered = new(DeliveryResult.Delivered, null);

    public static DeliveryOutcome Temporary(string error) => new(DeliveryResult.TemporaryFailure, error);

    public static DeliveryOutcome Permanent(string error) => new(DeliveryResult.PermanentFailure, error);
}
