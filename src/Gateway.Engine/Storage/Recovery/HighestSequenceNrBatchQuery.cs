using Akka.Persistence.Sql.Config;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The highest sequence number of every persistence id of a batch, in one query:
/// <c>SELECT persistence_id, MAX(sequence_number) … WHERE persistence_id IN (…) GROUP BY persistence_id</c>
/// on the plugin's journal table. Like the plugin in its native mode, it counts every row, those
/// marked deleted too (the plugin keeps the highest row of a deletion for exactly this).
/// </summary>
internal sealed class HighestSequenceNrBatchQuery
{
    private readonly RecoveryReadConnection _connection;
    private readonly Lazy<(string Head, string Tail)> _sql;

    public HighestSequenceNrBatchQuery(RecoveryReadConnection connection, JournalTableConfig tables)
    {
        _connection = connection;
        _sql = new Lazy<(string, string)>(() =>
        {
            var columns = tables.EventJournalTable.ColumnNames;
            var persistenceId = connection.Column(columns.PersistenceId);
            var sequenceNr = connection.Column(columns.SequenceNumber);
            var table = connection.Table(tables.SchemaName, tables.EventJournalTable.Name);
            return ($"SELECT {persistenceId}, MAX({sequenceNr}) FROM {table} WHERE {persistenceId} IN (",
                $") GROUP BY {persistenceId}");
        });
    }

    public async Task<IReadOnlyDictionary<string, long>> RunAsync(IReadOnlyCollection<string> persistenceIds, CancellationToken cancellationToken)
    {
        var (head, tail) = _sql.Value;
        var rows = await _connection.QueryAsync(head + RecoveryReadConnection.Placeholders(persistenceIds.Count) + tail,
            persistenceIds, reader => (PersistenceId: reader.GetString(0), Highest: reader.GetInt64(1)), cancellationToken);
        return rows.ToDictionary(row => row.PersistenceId, row => row.Highest, StringComparer.Ordinal);
    }

    /// <summary>
    /// What the plugin answers for one persistence id from the batch's answer: its highest sequence
    /// number above <paramref name="fromSequenceNr"/> (the plugin filters <c>sequence_number &gt; from</c>
    /// when <c>from</c> is not 0), or 0 when it has none. The highest of all rows is above
    /// <c>from</c> exactly when a row above <c>from</c> exists, so the unfiltered batch gives the same.
    /// </summary>
    public static long HighestAbove(IReadOnlyDictionary<string, long> answer, string persistenceId, long fromSequenceNr) =>
        answer.TryGetValue(persistenceId, out var highest) && highest > fromSequenceNr ? highest : 0;
}
