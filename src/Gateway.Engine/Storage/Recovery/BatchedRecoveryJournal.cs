using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Journal;
using Akka.Persistence.Sql.Journal.Types;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The Akka.Persistence.Sql journal, except that the highest sequence number a recovering
/// subscriber entity asks for is read in batches: the entities recovering at once (up to
/// <c>akka.persistence.max-concurrent-recoveries</c>) cost one
/// <c>SELECT persistence_id, MAX(sequence_number) … GROUP BY persistence_id</c> instead of one
/// query each, which was the main cost of starting many idle subscribers (docs/persistence.md,
/// "Batched recovery"). Every other persistence id, every write and every replay go through the
/// base class unchanged. Configured as <c>akka.persistence.journal.sql.class</c>.
/// </summary>
/// <remarks>
/// Batches only in the plugin's native mode: with <c>delete-compatibility-mode</c> on, the plugin
/// also reads the metadata table, and this class leaves every read to the base class. Also leaves
/// everything to the base class when the system has no <see cref="BatchedRecoverySetup"/>.
/// </remarks>
public class BatchedRecoveryJournal : SqlWriteJournal
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RecoveryBatcher<long>? _highest;
    private readonly JournalWritesInProgress _writes = new();

    public BatchedRecoveryJournal(Config journalConfig) : base(journalConfig)
    {
        var config = new JournalConfig(journalConfig.WithFallback(SqlPersistence.DefaultJournalConfiguration));
        var setup = Context.System.Settings.Setup.Get<BatchedRecoverySetup>();
        if (!setup.HasValue)
        {
            _log.Warning("No BatchedRecoverySetup in the actor system: subscriber recoveries read their highest sequence numbers one query each.");
            return;
        }
        if (config.DaoConfig.SqlCommonCompatibilityMode)
        {
            _log.Warning("delete-compatibility-mode is on: subscriber recoveries read their highest sequence numbers one query each.");
            return;
        }
        var query = new HighestSequenceNrBatchQuery(
            new RecoveryReadConnection(setup.Value.DataOptions, config.ReadIsolationLevel), config.TableConfig);
        _highest = new RecoveryBatcher<long>(query.RunAsync, setup.Value.Settings,
            count => _log.Debug("Highest sequence numbers of {0} subscriber entities read in one query", count));
    }

    public override Task<long> ReadHighestSequenceNrAsync(string persistenceId, long fromSequenceNr, CancellationToken cancellationToken)
    {
        if (_highest is null || !BatchedRecoverySetup.Batches(persistenceId))
            return base.ReadHighestSequenceNrAsync(persistenceId, fromSequenceNr, cancellationToken);
        // Looked up now, on the actor's thread, like the base class looks up its own.
        return ReadBatchedAsync(_highest, persistenceId, fromSequenceNr, _writes.Pending(persistenceId), cancellationToken);
    }

    protected override Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        // Enumerated once: the batch Akka hands over may be a lazy query.
        var writes = messages as IReadOnlyList<AtomicWrite> ?? messages.ToList();
        var written = base.WriteMessagesAsync(writes, cancellationToken);
        // One WriteMessages comes from one persistent actor: the first write's id is every write's (as the base class assumes).
        if (_highest is not null && writes.Count > 0 && BatchedRecoverySetup.Batches(writes[0].PersistenceId))
            _writes.Started(writes[0].PersistenceId, written);
        return written;
    }

    protected override bool ReceivePluginInternal(object message)
    {
        // The base class tells itself this when a write task (the one returned above) completes.
        if (message is WriteFinished finished)
            _writes.Finished(finished.PersistenceId, finished.Future);
        return base.ReceivePluginInternal(message);
    }

    protected override void PostStop()
    {
        _highest?.Stop();
        base.PostStop();
    }

    private static async Task<long> ReadBatchedAsync(
        RecoveryBatcher<long> batcher, string persistenceId, long fromSequenceNr, Task? pendingWrite, CancellationToken cancellationToken)
    {
        // As the base class: the write's outcome does not matter, only that it is over.
        if (pendingWrite is not null)
            await pendingWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var answer = await batcher.Ask(persistenceId).WaitAsync(cancellationToken);
        return HighestSequenceNrBatchQuery.HighestAbove(answer, persistenceId, fromSequenceNr);
    }
}
