using System.Data;
using System.Data.Common;
using Gateway.Domain.Messaging;
using static Gateway.Engine.Storage.GatewayDatabase;

namespace Gateway.Engine.Storage;

/// <summary>How far the message status view has read the journal.</summary>
/// <param name="EventOffset">The ordering of the last tagged event applied; the next read starts after it.</param>
/// <param name="JournalWatermark">Every event with an ordering up to this one is in the view (or changes nothing in it).</param>
public readonly record struct MessageStatusProgress(long EventOffset, long JournalWatermark);

/// <summary>
/// The <c>message_status</c> table: one row per message, changed only by the projection (in
/// transactions that also move its offset, so each event is applied exactly once) and read by
/// <c>GET /v1/messages/{id}</c>.
/// </summary>
public sealed class MessageStatusStore(GatewayDatabase database)
{
    private const string Projection = "message-status";

    public async Task<MessageStatusProgress> ReadProgressAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "SELECT event_offset, journal_watermark FROM message_status_progress WHERE projection = @projection");
        Add(command, "projection", Projection, DbType.String);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MessageStatusProgress(reader.GetInt64(0), reader.GetInt64(1))
            : default;
    }

    /// <summary>
    /// Applies the changes of a run of journal events, in journal order, and records
    /// <paramref name="eventOffset"/> (the ordering of the last of them) in the same transaction. A
    /// message that starts in the run is written once, with what later changes in the run did to it
    /// (most messages are accepted and delivered within one poll); the others are updated in order.
    /// A withdrawn message's row is deleted before anything is written, so the same id accepted again
    /// later in the run starts a new row.
    /// </summary>
    /// <param name="copies">Message Copies the same events carry, added to the copy backlog in the same transaction.</param>
    public async Task ApplyAsync(
        IReadOnlyList<MessageStatusChange> changes, long eventOffset, CancellationToken cancellationToken,
        IReadOnlyList<(MessageCopy Copy, long JournalOrdering)>? copies = null)
    {
        var started = new Dictionary<MessageId, MessageStatusRecord>();
        var startedInOrder = new List<MessageId>();
        var updates = new List<MessageStatusChange>();
        var withdrawn = new List<MessageId>();
        foreach (var change in changes)
        {
            if (change is MessageStatusCreated created)
            {
                if (started.TryAdd(created.Id, created.Record))
                    startedInOrder.Add(created.Id);
            }
            else if (change is MessageStatusWithdrawn)
            {
                // A withdrawn message was never queued, so no attempt of it precedes or follows this.
                withdrawn.Add(change.Id);
                if (started.Remove(change.Id))
                    startedInOrder.Remove(change.Id);
            }
            else if (started.TryGetValue(change.Id, out var record))
            {
                started[change.Id] = record.With(change);
            }
            else
            {
                updates.Add(change);
            }
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (withdrawn.Count > 0)
        {
            await using var delete = Command(connection, "DELETE FROM message_status WHERE id = @id", transaction);
            Add(delete, "id", null, DbType.String);
            foreach (var id in withdrawn)
            {
                delete.Parameters[0].Value = id.Value;
                await delete.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        if (startedInOrder.Count > 0)
        {
            await using var upsert = new RowUpsert(connection, transaction);
            foreach (var id in startedInOrder)
                await upsert.ExecuteAsync(started[id], cancellationToken);
        }
        if (updates.Count > 0)
        {
            await using var update = new RowUpdate(connection, transaction);
            foreach (var change in updates)
                await update.ExecuteAsync(change, cancellationToken);
        }
        if (copies is not null)
            await MessageCopyStore.InsertAsync(connection, transaction, copies, cancellationToken);
        await using (var progress = Command(connection, """
            INSERT INTO message_status_progress (projection, event_offset, journal_watermark) VALUES (@projection, @offset, 0)
            ON CONFLICT (projection) DO UPDATE SET event_offset = excluded.event_offset
            """, transaction))
        {
            Add(progress, "projection", Projection, DbType.String);
            Add(progress, "offset", eventOffset, DbType.Int64);
            await progress.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Records that every event up to <paramref name="journalOrdering"/> has been read (never moves back).</summary>
    public async Task AdvanceWatermarkAsync(long journalOrdering, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO message_status_progress (projection, event_offset, journal_watermark) VALUES (@projection, 0, @watermark)
            ON CONFLICT (projection) DO UPDATE SET journal_watermark = excluded.journal_watermark
            WHERE message_status_progress.journal_watermark < excluded.journal_watermark
            """);
        Add(command, "projection", Projection, DbType.String);
        Add(command, "watermark", journalOrdering, DbType.Int64);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<MessageStatusRecord?> FindAsync(MessageId id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            SELECT subscriber_id, direction, type, status, attempts, last_error, created_at, updated_at, segments
            FROM message_status WHERE id = @id
            """);
        Add(command, "id", id.Value, DbType.String);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new MessageStatusRecord(
            id,
            reader.GetString(0),
            Enum.Parse<MessageDirection>(reader.GetString(1), ignoreCase: true),
            Enum.Parse<MessageType>(reader.GetString(2), ignoreCase: true),
            Enum.Parse<MessageStatus>(reader.GetString(3), ignoreCase: true),
            reader.GetInt32(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            FromUnixMilliseconds(reader.GetInt64(6)),
            FromUnixMilliseconds(reader.GetInt64(7)),
            reader.IsDBNull(8) ? null : reader.GetInt32(8));
    }

    /// <summary>Deletes final rows last changed before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "DELETE FROM message_status WHERE updated_at < @before AND status IN ('delivered', 'failed', 'expired')");
        Add(command, "before", ToUnixMilliseconds(before), DbType.Int64);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Writes a message that started in the run, as the run left it; one prepared statement for the
    /// whole run. A row already there (a message accepted twice with one id, after a retried
    /// Idempotency-Key whose first answer was lost) keeps its start and counts the new attempts.
    /// </summary>
    private sealed class RowUpsert : IAsyncDisposable
    {
        private readonly DbCommand _command;

        public RowUpsert(DbConnection connection, DbTransaction transaction)
        {
            _command = Command(connection, """
                INSERT INTO message_status (id, subscriber_id, direction, type, status, attempts, last_error, created_at, updated_at, segments)
                VALUES (@id, @subscriber, @direction, @type, @status, @attempts, @error, @created, @updated, @segments)
                ON CONFLICT (id) DO UPDATE SET
                    attempts = message_status.attempts + excluded.attempts,
                    status = CASE WHEN excluded.status = 'accepted' THEN message_status.status ELSE excluded.status END,
                    last_error = COALESCE(excluded.last_error, message_status.last_error),
                    updated_at = CASE WHEN excluded.status = 'accepted' THEN message_status.updated_at ELSE excluded.updated_at END
                """, transaction);
            Add(_command, "id", null, DbType.String);
            Add(_command, "subscriber", null, DbType.String);
            Add(_command, "direction", null, DbType.String);
            Add(_command, "type", null, DbType.String);
            Add(_command, "status", null, DbType.String);
            Add(_command, "attempts", null, DbType.Int32);
            Add(_command, "error", null, DbType.String);
            Add(_command, "created", null, DbType.Int64);
            Add(_command, "updated", null, DbType.Int64);
            Add(_command, "segments", null, DbType.Int32);
        }

        public Task ExecuteAsync(MessageStatusRecord record, CancellationToken cancellationToken)
        {
            var parameters = _command.Parameters;
            parameters[0].Value = record.Id.Value;
            parameters[1].Value = record.SubscriberId;
            parameters[2].Value = Name(record.Direction);
            parameters[3].Value = Name(record.Type);
            parameters[4].Value = Name(record.Status);
            parameters[5].Value = record.Attempts;
            parameters[6].Value = (object?)record.LastError ?? DBNull.Value;
            parameters[7].Value = ToUnixMilliseconds(record.CreatedAt);
            parameters[8].Value = ToUnixMilliseconds(record.UpdatedAt);
            parameters[9].Value = (object?)record.Segments ?? DBNull.Value;
            return _command.ExecuteNonQueryAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }

    /// <summary>Applies an attempt or an expiry to a message that started in an earlier run.</summary>
    private sealed class RowUpdate : IAsyncDisposable
    {
        private readonly DbCommand _command;

        public RowUpdate(DbConnection connection, DbTransaction transaction)
        {
            // An expiry is an "attempt" that adds none and keeps the last error.
            _command = Command(connection, """
                UPDATE message_status
                SET attempts = attempts + @increment, status = @status, last_error = COALESCE(@error, last_error), updated_at = @at
                WHERE id = @id
                """, transaction);
            Add(_command, "increment", null, DbType.Int32);
            Add(_command, "status", null, DbType.String);
            Add(_command, "error", null, DbType.String);
            Add(_command, "at", null, DbType.Int64);
            Add(_command, "id", null, DbType.String);
        }

        public Task ExecuteAsync(MessageStatusChange change, CancellationToken cancellationToken)
        {
            var (increment, status, error, at) = change switch
            {
                MessageStatusAttempted attempted => (1, attempted.Status, attempted.Error, attempted.At),
                MessageStatusExpired expired => (0, MessageStatus.Expired, null, expired.At),
                _ => throw new ArgumentException($"Not an update: {change.GetType().Name}.", nameof(change)),
            };
            var parameters = _command.Parameters;
            parameters[0].Value = increment;
            parameters[1].Value = Name(status);
            parameters[2].Value = (object?)error ?? DBNull.Value;
            parameters[3].Value = ToUnixMilliseconds(at);
            parameters[4].Value = change.Id.Value;
            return _command.ExecuteNonQueryAsync(cancellationToken);
        }

        public ValueTask DisposeAsync() => _command.DisposeAsync();
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
