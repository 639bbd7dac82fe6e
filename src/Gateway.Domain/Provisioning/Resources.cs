using Gateway.Domain.Addressing;

namespace Gateway.Domain.Provisioning;

/// <summary>
/// A partner platform. <see cref="ClientSecret"/> authenticates the partner to the gateway (only its
/// digest is kept); <see cref="SecurityToken"/> is what the gateway sends to the partner's URLs.
/// </summary>
public sealed record Partner(
    PartnerId Id,
    HttpUrl PrimaryUrl,
    HttpUrl? SecondaryUrl,
    SecretDigest ClientSecret,
    Secret SecurityToken);

/// <summary>A Message Copy recording server; <see cref="AuthenticationKey"/> is sent as a bearer token when set.</summary>
public sealed record RecordingServer(
    RecordingServerId Id,
    string Name,
    HttpUrl Url,
    Secret? AuthenticationKey);

/// <summary>A group's Message Copy setting: when enabled, copies go to <see cref="RecordingServerId"/>.</summary>
public sealed record MessageCopySetting(bool Enabled, RecordingServerId? RecordingServerId)
{
    public static readonly MessageCopySetting Disabled = new(false, null);
}

/// <summary>A group of subscribers sharing settings.</summary>
public sealed record Group(GroupId Id, MessageCopySetting MessageCopy);

/// <summary>
/// A subscriber: the SIM's <see cref="Mobile"/> number on the mobile network and the
/// <see cref="Did"/> that the partner and the PSTN see. Both are unique across all subscribers.
/// </summary>
public sealed record Subscriber(
    SubscriberId Id,
    E164Number Mobile,
    E164Number Did,
    string Domain,
    PartnerId PartnerId,
    GroupId? GroupId);
