using System.Globalization;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Snapshot;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// The latest snapshot row (highest sequence number) of every persistence id of a batch, in one
/// query on the plugin's snapshot table, read into the plugin's own <see cref="LongSnapshotRow"/>
/// (SQLite and PostgreSQL store <c>created</c> as ticks) so that the plugin's serializer turns it
/// into exactly the <c>SelectedSnapshot</c> the plugin would return.
/// </summary>
internal sealed class LatestSnapshotBatchQuery
{
    private readonly RecoveryReadConnection _connection;
    private readonly Lazy<(string Head, string Tail)> _sql;

    public LatestSnapshotBatchQuery(RecoveryReadConnection connection, SnapshotTableConfiguration tables)
    {
        _connection = connection;
        _sql = new Lazy<(string, string)>(() =>
        {
            var columns = tables.SnapshotTable.ColumnNames;
            var persistenceId = connection.Column(columns.PersistenceId);
            var sequenceNr = connection.Column(columns.SequenceNumber);
            var table = connection.Table(tables.SchemaName, tables.SnapshotTable.Name);
            // The primary key is (persistence_id, sequence_number): one row per id, and MAX reads the index.
            return ($"SELECT s.{persistenceId}, s.{sequenceNr}, s.{connection.Column(columns.Created)}, s.{connection.Column(columns.Snapshot)}, "
                    + $"s.{connection.Column(columns.Manifest)}, s.{connection.Column(columns.SerializerId)} "
                    + $"FROM {table} s WHERE s.{persistenceId} IN (",
                $") AND s.{sequenceNr} = (SELECT MAX(l.{sequenceNr}) FROM {table} l WHERE l.{persistenceId} = s.{persistenceId})");
        });
    }

    public async Task<IReadOnlyDictionary<string, LongSnapshotRow>> RunAsync(IReadOnlyCollection<string> persistenceIds, CancellationToken cancellationToken)
    {
        var (head, tail) = _sql.Value;
        var rows = await _connection.QueryAsync(head + RecoveryReadConnection.Placeholders(persistenceIds.Count) + tail,
            persistenceIds, reader => new LongSnapshotRow
            {
                PersistenceId = reader.GetString(0),
                SequenceNumber = reader.GetInt64(1),
                Created = reader.GetInt64(2),
                // Null columns stay null, as linq2db maps them for the plugin.
                Payload = reader.IsDBNull(3) ? null! : (byte[])reader.GetValue(3),
                Manifest = reader.IsDBNull(4) ? null! : reader.GetString(4),
                // SQLite hands INTEGER columns over as Int64, PostgreSQL this one as Int32.
                SerializerId = reader.IsDBNull(5) ? null : Convert.ToInt32(reader.GetValue(5), CultureInfo.InvariantCulture),
            }, cancellationToken);
        return rows.ToDictionary(row => row.PersistenceId, StringComparer.Ordinal);
    }
}
