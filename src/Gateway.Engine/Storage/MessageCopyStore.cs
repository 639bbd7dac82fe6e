using System.Data;
using System.Data.Common;
using System.Text.Json;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Serialization;
using static Gateway.Engine.Storage.GatewayDatabase;

namespace Gateway.Engine.Storage;

/// <summary>A copy in the offload backlog: its key and what it copies.</summary>
public sealed record StoredCopy(string Key, MessageCopy Copy);

/// <summary>
/// One recording server's backlog: copies waiting (<see cref="Count"/>, the oldest's capture time)
/// and how its offload went last.
/// </summary>
public sealed record RecordingServerBacklog(
    string RecordingServerId,
    long Count,
    DateTimeOffset? OldestCapturedAt,
    DateTimeOffset ReadAt,
    DateTimeOffset? LastCycleAt,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? LastFailure)
{
    public TimeSpan? OldestAge => OldestCapturedAt is { } oldest ? ReadAt - oldest : null;
}

/// <summary>How one offload cycle of a recording server ended.</summary>
/// <param name="Failure">Why it stopped early; null when it sent everything it took.</param>
public sealed record OffloadCycleResult(DateTimeOffset StartedAt, int Offloaded, string? Failure);

/// <summary>
/// The Message Copy backlog (<c>message_copies</c>): copies the journal projection found in subscriber
/// events (inserted in the projection's transaction, so each exactly once), read oldest first per
/// recording server by the offload, and deleted when the server answers 2xx. Also each server's last
/// cycle (<c>message_copy_offloads</c>), for the admin API and the metrics.
/// </summary>
public sealed class MessageCopyStore(GatewayDatabase database)
{
    /// <summary>The backlog's key of a copy: one per message and direction.</summary>
    public static string KeyOf(MessageCopy copy) =>
        $"{copy.MessageId.Value}:{(copy.Direction == MessageDirection.Mt ? "mt" : "mo")}";

    /// <summary>
    /// Adds copies in the caller's transaction; <paramref name="journalOrdering"/> breaks ties between
    /// copies taken in the same millisecond. A key already there is left alone.
    /// </summary>
    public static async Task InsertAsync(
        DbConnection connection, DbTransaction transaction, IReadOnlyList<(MessageCopy Copy, long JournalOrdering)> copies,
        CancellationToken cancellationToken)
    {
        if (copies.Count == 0)
            return;
        await using var insert = Command(connection, """
            INSERT INTO message_copies (copy_key, recording_server_id, captured_at, journal_ordering, payload)
            VALUES (@key, @server, @captured, @ordering, @payload)
            ON CONFLICT (copy_key) DO NOTHING
            """, transaction);
        Add(insert, "key", null, DbType.String);
        Add(insert, "server", null, DbType.String);
        Add(insert, "captured", null, DbType.Int64);
        Add(insert, "ordering", null, DbType.Int64);
        Add(insert, "payload", null, DbType.String);
        foreach (var (copy, ordering) in copies)
        {
            insert.Parameters[0].Value = KeyOf(copy);
            insert.Parameters[1].Value = copy.RecordingServerId.Value;
            insert.Parameters[2].Value = ToUnixMilliseconds(copy.CapturedAt);
            insert.Parameters[3].Value = ordering;
            insert.Parameters[4].Value = JsonSerializer.Serialize(copy, GatewayJson.Options);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The keys of up to <paramref name="limit"/> copies for a server, oldest first (by capture time).</summary>
    public async Task<IReadOnlyList<string>> OldestKeysAsync(RecordingServerId server, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            SELECT copy_key FROM message_copies WHERE recording_server_id = @server
            ORDER BY captured_at, journal_ordering, copy_key LIMIT @limit
            """);
        Add(command, "server", server.Value, DbType.String);
        Add(command, "limit", limit, DbType.Int32);
        var keys = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            keys.Add(reader.GetString(0));
        return keys;
    }

    /// <summary>A copy by key; null once it has been deleted.</summary>
    public async Task<StoredCopy?> FindAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT payload FROM message_copies WHERE copy_key = @key");
        Add(command, "key", key, DbType.String);
        var payload = await command.ExecuteScalarAsync(cancellationToken);
        return payload is string json
            ? new StoredCopy(key, JsonSerializer.Deserialize<MessageCopy>(json, GatewayJson.Options)!)
            : null;
    }

    /// <summary>Deletes an offloaded copy (the recording server answered 2xx).</summary>
    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM message_copies WHERE copy_key = @key");
        Add(command, "key", key, DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records how a server's cycle ended: its time, and its success or failure (kept until the next one).</summary>
    public async Task RecordCycleAsync(RecordingServerId server, OffloadCycleResult result, DateTimeOffset endedAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, result.Failure is null
            ? """
              INSERT INTO message_copy_offloads (recording_server_id, last_cycle_at, last_success_at) VALUES (@server, @cycle, @ended)
              ON CONFLICT (recording_server_id) DO UPDATE SET last_cycle_at = excluded.last_cycle_at, last_success_at = excluded.last_success_at
              """
            : """
              INSERT INTO message_copy_offloads (recording_server_id, last_cycle_at, last_failure_at, last_failure) VALUES (@server, @cycle, @ended, @failure)
              ON CONFLICT (recording_server_id) DO UPDATE SET last_cycle_at = excluded.last_cycle_at,
                  last_failure_at = excluded.last_failure_at, last_failure = excluded.last_failure
              """);
        Add(command, "server", server.Value, DbType.String);
        Add(command, "cycle", ToUnixMilliseconds(result.StartedAt), DbType.Int64);
        Add(command, "ended", ToUnixMilliseconds(endedAt), DbType.Int64);
        if (result.Failure is not null)
            Add(command, "failure", result.Failure, DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// The backlog of every recording server that has copies waiting or has run a cycle, by id, read
    /// at <paramref name="now"/> (for the oldest copy's age).
    /// </summary>
    public async Task<IReadOnlyList<RecordingServerBacklog>> BacklogAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            SELECT s.recording_server_id, COALESCE(c.copies, 0), c.oldest,
                   o.last_cycle_at, o.last_success_at, o.last_failure_at, o.last_failure
            FROM (SELECT recording_server_id FROM message_copies GROUP BY recording_server_id
                  UNION SELECT recording_server_id FROM message_copy_offloads) s
            LEFT JOIN (SELECT recording_server_id, COUNT(*) AS copies, MIN(captured_at) AS oldest
                       FROM message_copies GROUP BY recording_server_id) c ON c.recording_server_id = s.recording_server_id
            LEFT JOIN message_copy_offloads o ON o.recording_server_id = s.recording_server_id
            ORDER BY s.recording_server_id
            """);
        var backlog = new List<RecordingServerBacklog>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            backlog.Add(new RecordingServerBacklog(
                reader.GetString(0),
                reader.GetInt64(1),
                Time(reader, 2),
                now,
                Time(reader, 3),
                Time(reader, 4),
                Time(reader, 5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        }
        return backlog;
    }

    /// <summary>Forgets a deleted recording server's last cycle once it has no copies left.</summary>
    public async Task ForgetAsync(RecordingServerId server, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            DELETE FROM message_copy_offloads WHERE recording_server_id = @server
            AND NOT EXISTS (SELECT 1 FROM message_copies WHERE recording_server_id = @server)
            """);
        Add(command, "server", server.Value, DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTimeOffset? Time(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : FromUnixMilliseconds(reader.GetInt64(ordinal));
}
