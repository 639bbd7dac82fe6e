using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;

namespace Gateway.Domain.Provisioning;

/// <summary>The fields of an admin <c>PUT</c> body, as text, before validation.</summary>
public sealed record PartnerFields(string? PrimaryUrl, string? SecondaryUrl, string? ClientSecret, string? SecurityToken);

public sealed record RecordingServerFields(string? Name, string? Url, string? AuthenticationKey);

public sealed record GroupFields(bool? MessageCopyEnabled, string? RecordingServerId);

public sealed record SubscriberFields(string? Mobile, string? Did, string? Domain, string? PartnerId, string? GroupId);

/// <summary>
/// Field-level validation of provisioning input: turns raw fields into resources or the first
/// <see cref="DomainError"/>. Cross-resource rules (references, uniqueness) live in <see cref="Catalog.Decide"/>.
/// </summary>
public static class ProvisioningRules
{
    public const int MaxNameLength = 100;
    public const int MaxDomainLength = 253;

    public static Result<Partner> Partner(PartnerId id, PartnerFields fields)
    {
        var primary = Url("primaryUrl", fields.PrimaryUrl);
        if (!primary.IsOk) return primary.Error;
        HttpUrl? secondary = null;
        if (fields.SecondaryUrl is not null)
        {
            var parsed = Url("secondaryUrl", fields.SecondaryUrl);
            if (!parsed.IsOk) return parsed.Error;
            secondary = parsed.Value;
        }
        var clientSecret = BearerToken("clientSecret", fields.ClientSecret);
        if (!clientSecret.IsOk) return clientSecret.Error;
        var securityToken = BearerToken("securityToken", fields.SecurityToken);
        if (!securityToken.IsOk) return securityToken.Error;
        return new Partner(id, primary.Value, secondary, SecretDigest.Of(clientSecret.Value), new Secret(securityToken.Value));
    }

    public static Result<RecordingServer> RecordingServer(RecordingServerId id, RecordingServerFields fields)
    {
        if (fields.Name is null) return Missing("name");
        if (string.IsNullOrWhiteSpace(fields.Name) || fields.Name.Length > MaxNameLength || fields.Name.Any(char.IsControl))
            return DomainError.Invalid(ErrorCodes.InvalidName,
                $"Field 'name' must be 1 to {MaxNameLength} printable characters, not only spaces.");
        var url = Url("url", fields.Url);
        if (!url.IsOk) return url.Error;
        Secret? key = null;
        if (fields.AuthenticationKey is not null)
        {
            var token = BearerToken("authenticationKey", fields.AuthenticationKey);
            if (!token.IsOk) return token.Error;
            key = new Secret(token.Value);
        }
        return new RecordingServer(id, fields.Name, url.Value, key);
    }

    public static Result<Group> Group(GroupId id, GroupFields fields)
    {
        if (fields.MessageCopyEnabled is null) return Missing("messageCopy.enabled");
        RecordingServerId? serverId = null;
        if (fields.RecordingServerId is not null)
        {
            if (!RecordingServerId.TryParse(fields.RecordingServerId, out var parsed))
                return InvalidId("messageCopy.recordingServerId");
            serverId = parsed;
        }
        if (fields.MessageCopyEnabled.Value && serverId is null)
            return DomainError.Invalid(ErrorCodes.MissingField,
                "Field 'messageCopy.recordingServerId' is required when 'messageCopy.enabled' is true.");
        return new Group(id, new MessageCopySetting(fields.MessageCopyEnabled.Value, serverId));
    }

    public static Result<Subscriber> Subscriber(SubscriberId id, SubscriberFields fields)
    {
        var mobile = Number("mobile", fields.Mobile);
        if (!mobile.IsOk) return mobile.Error;
        var did = Number("did", fields.Did);
        if (!did.IsOk) return did.Error;
        if (fields.Domain is null) return Missing("domain");
        if (!IsHostName(fields.Domain))
            return DomainError.Invalid(ErrorCodes.InvalidDomain,
                "Field 'domain' must be a DNS name such as 'acme.example': dot-separated labels of letters, digits and '-', at most 253 characters.");
        if (fields.PartnerId is null) return Missing("partnerId");
        if (!PartnerId.TryParse(fields.PartnerId, out var partnerId)) return InvalidId("partnerId");
        GroupId? groupId = null;
        if (fields.GroupId is not null)
        {
            if (!GroupId.TryParse(fields.GroupId, out var parsedGroup)) return InvalidId("groupId");
            groupId = parsedGroup;
        }
        return new Subscriber(id, mobile.Value, did.Value, fields.Domain, partnerId, groupId);
    }

    public static DomainError InvalidId(string what) =>
        DomainError.Invalid(ErrorCodes.InvalidId, $"'{what}' must be {ResourceIdRule.Description}.");

    private static DomainError Missing(string field) =>
        DomainError.Invalid(ErrorCodes.MissingField, $"Field '{field}' is required.");

    private static Result<HttpUrl> Url(string field, string? text)
    {
        if (text is null) return Missing(field);
        return HttpUrl.TryParse(text, out var url, out var problem)
            ? url
            : DomainError.Invalid(ErrorCodes.InvalidUrl, $"Field '{field}' {problem}.");
    }

    private static Result<E164Number> Number(string field, string? text)
    {
        if (text is null) return Missing(field);
        return E164Number.TryParse(text, out var number)
            ? number
            : DomainError.Invalid(ErrorCodes.InvalidE164,
                $"Field '{field}' must be an E.164 number: '+' then 8 to 15 digits, the first one 1-9 (e.g. +19465559040).");
    }

    private static Result<string> BearerToken(string field, string? text)
    {
        if (text is null) return Missing(field);
        return BearerTokenRule.IsValid(text)
            ? text
            : DomainError.Invalid(ErrorCodes.InvalidSecret,
                $"Field '{field}' must be {BearerTokenRule.Description}, and not the redaction placeholder '{BearerTokenRule.Redacted}'.");
    }

    private static bool IsHostName(string text)
    {
        if (text.Length is 0 or > MaxDomainLength) return false;
        foreach (var label in text.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-') return false;
            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-') return false;
            }
        }
        return true;
    }
}
