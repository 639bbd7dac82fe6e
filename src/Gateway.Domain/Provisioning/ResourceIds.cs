using System.Diagnostics.CodeAnalysis;

namespace Gateway.Domain.Provisioning;

/// <summary>
/// The rule every provisioned resource id follows: 1 to 64 characters of ASCII letters, digits,
/// <c>.</c>, <c>_</c> and <c>-</c>, starting with a letter or digit. Ids appear in URLs, logs and
/// persistence ids, so they stay plain.
/// </summary>
public static class ResourceIdRule
{
    public const int MaxLength = 64;
    public const string Description = "1 to 64 characters of letters, digits, '.', '_' and '-', starting with a letter or digit";

    public static bool IsValid([NotNullWhen(true)] string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || !char.IsAsciiLetterOrDigit(text[0]))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
                return false;
        }
        return true;
    }
}

/// <summary>A partner platform (UCaaS) that sends terminations and receives originations.</summary>
public readonly record struct PartnerId(string Value)
{
    public static bool TryParse(string? text, out PartnerId id)
    {
        id = ResourceIdRule.IsValid(text) ? new PartnerId(text) : default;
        return id.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>A gateway subscriber: one SIM with its mobile number and its DID.</summary>
public readonly record struct SubscriberId(string Value)
{
    public static bool TryParse(string? text, out SubscriberId id)
    {
        id = ResourceIdRule.IsValid(text) ? new SubscriberId(text) : default;
        return id.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>A group of subscribers sharing settings (Message Copy).</summary>
public readonly record struct GroupId(string Value)
{
    public static bool TryParse(string? text, out GroupId id)
    {
        id = ResourceIdRule.IsValid(text) ? new GroupId(text) : default;
        return id.Value is not null;
    }

    public override string ToString() => Value;
}

/// <summary>A Message Copy recording server that receives copies of messages.</summary>
public readonly record struct RecordingServerId(string Value)
{
    public static bool TryParse(string? text, out RecordingServerId id)
    {
        id = ResourceIdRule.IsValid(text) ? new RecordingServerId(text) : default;
        return id.Value is not null;
    }

    public override string ToString() => Value;
}
