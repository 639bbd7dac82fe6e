using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Simulator;
using Gateway.Engine.Subscribers;
using static Gateway.Domain.Provisioning.ProvisioningCommands;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Engine.Serialization;

/// <summary>
/// The stable name of every type the <see cref="GatewaySerializer"/> writes. A manifest is stored
/// with each journaled event and snapshot, so once released it never changes meaning: a type that
/// changes incompatibly gets a new manifest (<c>.v2</c>) and the old one keeps deserializing
/// (see docs/persistence.md).
/// </summary>
public static class WireManifests
{
    private static readonly (Type Type, string Manifest)[] Entries =
    [
        // journaled provisioning events and snapshots
        (typeof(PartnerSaved), "provisioning.partner-saved.v1"),
        (typeof(PartnerDeleted), "provisioning.partner-deleted.v1"),
        (typeof(RecordingServerSaved), "provisioning.recording-server-saved.v1"),
        (typeof(RecordingServerDeleted), "provisioning.recording-server-deleted.v1"),
        (typeof(GroupSaved), "provisioning.group-saved.v1"),
        (typeof(GroupDeleted), "provisioning.group-deleted.v1"),
        (typeof(SubscriberSaved), "provisioning.subscriber-saved.v1"),
        (typeof(SubscriberDeleted), "provisioning.subscriber-deleted.v1"),
        (typeof(CatalogSnapshot), "provisioning.catalog-snapshot.v1"),

        // provisioning commands and replies between nodes
        (typeof(SavePartner), "provisioning.save-partner.v1"),
        (typeof(DeletePartner), "provisioning.delete-partner.v1"),
        (typeof(SaveRecordingServer), "provisioning.save-recording-server.v1"),
        (typeof(DeleteRecordingServer), "provisioning.delete-recording-server.v1"),
        (typeof(SaveGroup), "provisioning.save-group.v1"),
        (typeof(DeleteGroup), "provisioning.delete-group.v1"),
        (typeof(SaveSubscriber), "provisioning.save-subscriber.v1"),
        (typeof(DeleteSubscriber), "provisioning.delete-subscriber.v1"),
        (typeof(ProvisioningProtocol.Applied), "provisioning.applied.v1"),
        (typeof(ProvisioningProtocol.Refused), "provisioning.refused.v1"),
        (typeof(ProvisioningProtocol.CatchUpTo), "provisioning.catch-up-to.v1"),
        (typeof(ProvisioningProtocol.CaughtUpTo), "provisioning.caught-up-to.v1"),

        // journaled subscriber events and snapshots
        (typeof(MessageAccepted), "subscriber.message-accepted.v1"),
        (typeof(DeliveryAttempted), "subscriber.delivery-attempted.v1"),
        (typeof(MessageExpired), "subscriber.message-expired.v1"),
        (typeof(SmsSegmentReceived), "subscriber.sms-segment-received.v1"),
        (typeof(ReassemblyExpired), "subscriber.reassembly-expired.v1"),
        (typeof(MessageWithdrawn), "subscriber.message-withdrawn.v1"),
        (typeof(SubscriberSnapshot), "subscriber.snapshot.v1"),

        // subscriber commands and replies between nodes
        (typeof(SubscriberProtocol.AcceptTermination), "subscriber.accept-termination.v1"),
        (typeof(SubscriberProtocol.ReceiveSmsSegment), "subscriber.receive-sms-segment.v1"),
        (typeof(SubscriberProtocol.ReceiveMms), "subscriber.receive-mms.v1"),
        (typeof(SubscriberProtocol.GetQueue), "subscriber.get-queue.v1"),
        (typeof(SubscriberProtocol.Accepted), "subscriber.accepted.v1"),
        (typeof(SubscriberProtocol.Refused), "subscriber.refused.v1"),
        (typeof(SubscriberProtocol.QueueView), "subscriber.queue-view.v1"),
        (typeof(SubscriberProtocol.GetMessage), "subscriber.get-message.v1"),
        (typeof(SubscriberProtocol.MessageLookup), "subscriber.message-lookup.v1"),
        (typeof(SubscriberProtocol.DeadlinePassed), "subscriber.deadline-passed.v1"),
        (typeof(SubscriberProtocol.AwaitAccept), "subscriber.await-accept.v1"),
        (typeof(SubscriberProtocol.NotQueued), "subscriber.not-queued.v1"),

        // the network simulator's questions to the simulator on each node, and its answers
        (typeof(SimulatorProtocol.GetInbox), "simulator.get-inbox.v1"),
        (typeof(SimulatorProtocol.InboxPart), "simulator.inbox-part.v1"),
    ];

    private static readonly Dictionary<Type, string> ManifestByType = Entries.ToDictionary(e => e.Type, e => e.Manifest);
    private static readonly Dictionary<string, Type> TypeByManifest = Entries.ToDictionary(e => e.Manifest, e => e.Type);

    /// <summary>Every registered type, for specs that check each one round-trips.</summary>
    public static IEnumerable<Type> Types => ManifestByType.Keys;

    public static string ManifestOf(Type type) =>
        ManifestByType.TryGetValue(type, out var manifest)
            ? manifest
            : throw new ArgumentException($"{type.FullName} has no wire manifest; add it to {nameof(WireManifests)}.", nameof(type));

    public static Type TypeOf(string manifest) =>
        TypeByManifest.TryGetValue(manifest, out var type)
            ? type
            : throw new ArgumentException($"Unknown wire manifest '{manifest}'.", nameof(manifest));
}
