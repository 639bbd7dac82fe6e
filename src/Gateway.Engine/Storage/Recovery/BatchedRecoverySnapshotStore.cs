using Akka.Configuration;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Snapshot;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The Akka.Persistence.Sql snapshot store, except that the latest snapshot a recovering
/// subscriber entity asks for is read in batches: the entities recovering at once cost one query
/// for all their latest snapshot rows instead of one query each (docs/persistence.md, "Batched
/// recovery"). The rows are turned into snapshots by the plugin's own serializer, so the answer is
/// the base class's. Other persistence ids, other selection criteria, saves and deletes go through
/// the base class unchanged. Configured as <c>akka.persistence.snapshot-store.sql.class</c>.
/// </summary>
/// <remarks>
/// Leaves everything to the base class when the system has no <see cref="BatchedRecoverySetup"/>,
/// and on SQL Server, whose table keeps <c>created</c> as a date (the gateway runs SQLite and
/// PostgreSQL, which keep ticks).
/// </remarks>
public class BatchedRecoverySnapshotStore : SqlSnapshotStore
{
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RecoveryBatcher<LongSnapshotRow>? _latest;
    private readonly ByteArrayLongSnapshotSerializer? _serializer;

    public BatchedRecoverySnapshotStore(Config snapshotConfig) : base(snapshotConfig)
    {
        var config = new SnapshotConfig(snapshotConfig.WithFallback(SqlPersistence.DefaultSnapshotConfiguration));
        var setup = Context.System.Settings.Setup.Get<BatchedRecoverySetup>();
        if (!setup.HasValue)
        {
            _log.Warning("No BatchedRecoverySetup in the actor system: subscriber recoveries load their snapshots one query each.");
            return;
        }
        if (KeepsCreatedAsDate(setup.Value.DataOptions.ConnectionOptions.ProviderName))
        {
            _log.Warning("SQL Server snapshot table: subscriber recoveries load their snapshots one query each.");
            return;
        }
        _serializer = new ByteArrayLongSnapshotSerializer(Context.System.Serialization, config);
        var query = new LatestSnapshotBatchQuery(
            new RecoveryReadConnection(setup.Value.DataOptions, config.ReadIsolationLevel), config.TableConfig);
        _latest = new RecoveryBatcher<LongSnapshotRow>(query.RunAsync, setup.Value.Settings,
            count => _log.Debug("Latest snapshots of {0} subscriber entities read in one query", count));
    }

    protected override Task<SelectedSnapshot?> LoadAsync(string persistenceId, SnapshotSelectionCriteria criteria, CancellationToken cancellationToken)
    {
        if (_latest is null || !BatchedRecoverySetup.Batches(persistenceId) || !IsLatest(criteria))
            return base.LoadAsync(persistenceId, criteria, cancellationToken);
        return LoadLatestAsync(_latest, _serializer!, persistenceId, cancellationToken);
    }

    protected override void PostStop()
    {
        _latest?.Stop();
        base.PostStop();
    }

    /// <summary>
    /// The criteria recovery asks with (<see cref="SnapshotSelectionCriteria.Latest"/>): no bound on
    /// the sequence number nor on the time. The base class answers exactly these with its "latest
    /// snapshot" query, ignoring the minimums as it does for every criteria.
    /// </summary>
    private static bool IsLatest(SnapshotSelectionCriteria criteria) =>
        criteria.MaxSequenceNr == long.MaxValue && criteria.MaxTimeStamp == DateTime.MaxValue;

    /// <summary>The plugin's test for a table whose <c>created</c> column is a date rather than ticks.</summary>
    private static bool KeepsCreatedAsDate(string? providerName) =>
        providerName?.Contains("sqlserver", StringComparison.OrdinalIgnoreCase) == true;

    private static async Task<SelectedSnapshot?> LoadLatestAsync(
        RecoveryBatcher<LongSnapshotRow> batcher, ByteArrayLongSnapshotSerializer serializer, string persistenceId, CancellationToken cancellationToken)
    {
        var answer = await batcher.Ask(persistenceId).WaitAsync(cancellationToken);
        // A snapshot that cannot be read fails this recovery only, as it would with the base class.
        return answer.TryGetValue(persistenceId, out var row) ? serializer.Deserialize(row).Get() : null;
    }
}
