using Gateway.Domain.Provisioning;

namespace Gateway.Host.Api;

/// <summary>Provisioned resources as the admin API shows them: secrets always as <c>"***"</c>.</summary>
public sealed record PartnerView(string Id, string PrimaryUrl, string? SecondaryUrl, string ClientSecret, string SecurityToken)
{
    public static PartnerView Of(Partner p) =>
        new(p.Id.Value, p.PrimaryUrl.ToString(), p.SecondaryUrl?.ToString(), BearerTokenRule.Redacted, BearerTokenRule.Redacted);
}

public sealed record RecordingServerView(string Id, string Name, string Url, string? AuthenticationKey)
{
    public static RecordingServerView Of(RecordingServer r) =>
        new(r.Id.Value, r.Name, r.Url.ToString(), r.AuthenticationKey is null ? null : BearerTokenRule.Redacted);
}

public sealed record MessageCopyView(bool Enabled, string? RecordingServerId);

public sealed record GroupView(string Id, MessageCopyView MessageCopy)
{
    public static GroupView Of(Group g) =>
        new(g.Id.Value, new MessageCopyView(g.MessageCopy.Enabled, g.MessageCopy.RecordingServerId?.Value));
}

public sealed record SubscriberView(string Id, string Mobile, string Did, string Domain, string PartnerId, string? GroupId)
{
    public static SubscriberView Of(Subscriber s) =>
        new(s.Id.Value, s.Mobile.Value, s.Did.Value, s.Domain, s.PartnerId.Value, s.GroupId?.Value);
}

/// <summary>One page of a list: <see cref="Next"/> is the <c>after</c> value of the next page, null on the last page.</summary>
public sealed record PageView(IReadOnlyList<object> Items, string? Next);
