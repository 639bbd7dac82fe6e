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
    private const string Projection = MessageStatusChanges.Tag;

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
    /// Applies the changes of a run of tagged events, in journal order, and records
    /// <paramref name="eventOffset"/> (the ordering of the last of them) in the same transaction.
    /// </summary>
    public async Task ApplyAsync(IReadOnlyList<MessageStatusChange> changes, long eventOffset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var change in changes)
        {
            await using var command = ChangeCommand(connection, transaction, change);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
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

    private static DbCommand ChangeCommand(DbConnection connection, DbTransaction transaction, MessageStatusChange change)
    {
        switch (change)
        {
            case MessageStatusCreated { Record: var record }:
            {
                // A message accepted twice with one id (a retried Idempotency-Key whose first answer was
                // lost) keeps its first row; the attempts of both copies count.
                var command = Command(connection, """
                    INSERT INTO message_status (id, subscriber_id, direction, type, status, attempts, last_error, created_at, updated_at, segments)
                    VALUES (@id, @subscriber, @direction, @type, @status, @attempts, @error, @created, @updated, @segments)
                    ON CONFLICT (id) DO NOTHING
                    """, transaction);
                Add(command, "id", record.Id.Value, DbType.String);
                Add(command, "subscriber", record.SubscriberId, DbType.String);
                Add(command, "direction", Name(record.Direction), DbType.String);
                Add(command, "type", Name(record.Type), DbType.String);
                Add(command, "status", Name(record.Status), DbType.String);
                Add(command, "attempts", record.Attempts, DbType.Int32);
                Add(command, "error", record.LastError, DbType.String);
                Add(command, "created", ToUnixMilliseconds(record.CreatedAt), DbType.Int64);
                Add(command, "updated", ToUnixMilliseconds(record.UpdatedAt), DbType.Int64);
                Add(command, "segments", record.Segments, DbType.Int32);
                return command;
            }
            case MessageStatusAttempted attempted:
            {
                var command = Command(connection, """
                    UPDATE message_status
                    SET attempts = attempts + 1, status = @status, last_error = COALESCE(@error, last_error), updated_at = @at
                    WHERE id = @id
                    """, transaction);
                Add(command, "status", Name(attempted.Status), DbType.String);
                Add(command, "error", attempted.Error, DbType.String);
                Add(command, "at", ToUnixMilliseconds(attempted.At), DbType.Int64);
                Add(command, "id", attempted.Id.Value, DbType.String);
                return command;
            }
            case MessageStatusExpired expired:
            {
                var command = Command(connection,
                    "UPDATE message_status SET status = 'expired', updated_at = @at WHERE id = @id", transaction);
                Add(command, "at", ToUnixMilliseconds(expired.At), DbType.Int64);
                Add(command, "id", expired.Id.Value, DbType.String);
                return command;
            }
            default:
                throw new ArgumentException($"Unknown status change {change.GetType().Name}.", nameof(change));
        }
    }

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
