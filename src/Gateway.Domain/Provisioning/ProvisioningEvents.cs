namespace Gateway.Domain.Provisioning;

/// <summary>
/// A change to the provisioning catalog, journaled by the provisioning authority and replayed by
/// every node's directory. Events are persisted with stable manifests (see docs/persistence.md for
/// how an event type may evolve): never change the meaning of a field, only add optional ones.
/// </summary>
public interface IProvisioningEvent;

public static class ProvisioningEvents
{
    public sealed record PartnerSaved(Partner Partner) : IProvisioningEvent;
    public sealed record PartnerDeleted(PartnerId Id) : IProvisioningEvent;
    public sealed record RecordingServerSaved(RecordingServer RecordingServer) : IProvisioningEvent;
    public sealed record RecordingServerDeleted(RecordingServerId Id) : IProvisioningEvent;
    public sealed record GroupSaved(Group Group) : IProvisioningEvent;
    public sealed record GroupDeleted(GroupId Id) : IProvisioningEvent;
    public sealed record SubscriberSaved(Subscriber Subscriber) : IProvisioningEvent;
    public sealed record SubscriberDeleted(SubscriberId Id) : IProvisioningEvent;
}

/// <summary>A request to change the catalog; <see cref="Catalog.Decide"/> turns it into an event or a refusal.</summary>
public interface IProvisioningCommand;

public static class ProvisioningCommands
{
    public sealed record SavePartner(Partner Partner) : IProvisioningCommand;
    public sealed record DeletePartner(PartnerId Id) : IProvisioningCommand;
    public sealed record SaveRecordingServer(RecordingServer RecordingServer) : IProvisioningCommand;
    public sealed record DeleteRecordingServer(RecordingServerId Id) : IProvisioningCommand;
    public sealed record SaveGroup(Group Group) : IProvisioningCommand;
    public sealed record DeleteGroup(GroupId Id) : IProvisioningCommand;
    public sealed record SaveSubscriber(Subscriber Subscriber) : IProvisioningCommand;
    public sealed record DeleteSubscriber(SubscriberId Id) : IProvisioningCommand;
}

/// <summary>The whole catalog at one point, as stored in a snapshot.</summary>
public sealed record CatalogSnapshot(
    IReadOnlyList<Partner> Partners,
    IReadOnlyList<RecordingServer> RecordingServers,
    IReadOnlyList<Group> Groups,
    IReadOnlyList<Subscriber> Subscribers);
