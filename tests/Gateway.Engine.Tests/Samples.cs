using Gateway.Domain.Addressing;
using Gateway.Domain.Provisioning;

namespace Gateway.Engine.Tests;

/// <summary>Valid provisioning resources for specs.</summary>
public static class Samples
{
    public static Partner Partner(string id = "p1", string clientSecret = "client-secret-p1") =>
        new(new PartnerId(id), HttpUrl.Parse($"https://{id}.example/hook"), HttpUrl.Parse($"https://{id}-backup.example/hook"),
            SecretDigest.Of(clientSecret), new Secret($"security-token-{id}"));

    public static RecordingServer RecordingServer(string id = "rs1") =>
        new(new RecordingServerId(id), $"Recorder {id}", HttpUrl.Parse($"https://{id}.example/copies"), new Secret($"key-{id}"));

    public static Group Group(string id = "g1", string? recordingServerId = null) =>
        new(new GroupId(id), recordingServerId is null
            ? MessageCopySetting.Disabled
            : new MessageCopySetting(true, new RecordingServerId(recordingServerId)));

    public static Subscriber Subscriber(string id, string mobile, string? did = null, string partnerId = "p1", string? groupId = null) =>
        new(new SubscriberId(id), E164Number.Parse(mobile), E164Number.Parse(did ?? mobile), "acme.example",
            new PartnerId(partnerId), groupId is null ? null : new GroupId(groupId));
}
