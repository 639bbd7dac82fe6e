using Akka.Actor.Setup;
using Gateway.Engine.Configuration;
using LinqToDB;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// What <see cref="BatchedRecoveryJournal"/> and <see cref="BatchedRecoverySnapshotStore"/> need
/// beyond the plugin's HOCON: the journal database's connection (the same <see cref="DataOptions"/>
/// the plugin gets through its <c>DataOptionsSetup</c>, which keeps them internal to
/// Akka.Persistence.Sql) and the batching settings. Without it both behave exactly as their base classes.
/// </summary>
public sealed class BatchedRecoverySetup(DataOptions dataOptions, BatchedRecoverySettings settings) : Setup
{
    public DataOptions DataOptions { get; } = dataOptions;

    public BatchedRecoverySettings Settings { get; } = settings;

    /// <summary>Whether the gateway batches the recovery reads of this persistence id: a subscriber entity's.</summary>
    public static bool Batches(string persistenceId) => Subscribers.SubscriberEntity.IsSubscriberPersistenceId(persistenceId);
}
