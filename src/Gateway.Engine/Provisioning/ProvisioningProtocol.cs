using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Serialization;

namespace Gateway.Engine.Provisioning;

/// <summary>
/// Replies of the provisioning authority to an <see cref="IProvisioningCommand"/>. The commands
/// themselves are domain records (<see cref="ProvisioningCommands"/>).
/// </summary>
public static class ProvisioningProtocol
{
    /// <summary>
    /// The command is journaled as <see cref="Event"/> at <see cref="SequenceNr"/>, or changed nothing
    /// (<see cref="Event"/> null) and the catalog at <see cref="SequenceNr"/> already reflects it.
    /// Sent only after the journal write completed.
    /// </summary>
    public sealed record Applied(long SequenceNr, IProvisioningEvent? Event) : IGatewayWire;

    /// <summary>The command breaks a catalog rule (unknown reference, a number or secret already in use, ...).</summary>
    public sealed record Refused(DomainError Error) : IGatewayWire;

    /// <summary>
    /// To a node's <see cref="ProvisioningDirectoryFollower"/>: include the authority's event
    /// <paramref name="SequenceNr"/> now, reading the journal at once if the directory is behind.
    /// Answered <see cref="CaughtUpTo"/>.
    /// </summary>
    public sealed record CatchUpTo(long SequenceNr) : IGatewayWire;

    /// <summary>Whether the node's directory included event <paramref name="SequenceNr"/> within its wait.</summary>
    public sealed record CaughtUpTo(long SequenceNr, bool Reached) : IGatewayWire;

    /// <summary>
    /// To this node's <see cref="ProvisioningDirectoryFollower"/> (local only, never sent between nodes):
    /// read the journal's current events past the directory now. Answered <see cref="JournalRead"/>
    /// once a read begun after the request has ended, so the directory then includes every event
    /// journaled before it was sent.
    /// </summary>
    public sealed record ReadJournalNow
    {
        public static readonly ReadJournalNow Instance = new();
        private ReadJournalNow() { }
    }

    /// <summary>
    /// The read asked by <see cref="ReadJournalNow"/> ended: <paramref name="Succeeded"/> false when the
    /// journal could not be read; <paramref name="SequenceNr"/> is the directory's sequence number after it.
    /// </summary>
    public sealed record JournalRead(bool Succeeded, long SequenceNr);
}

/// <summary>Registry key of the proxy to the provisioning authority (a cluster singleton).</summary>
public sealed class ProvisioningAuthority;
