using System.Data;
using Gateway.Domain.Messaging;
using static Gateway.Engine.Storage.GatewayDatabase;

namespace Gateway.Engine.Storage;

/// <summary>A partner's <c>Idempotency-Key</c> as first used: the request it came with and the message it named.</summary>
/// <param name="RequestHash">SHA-256 of the first request's body, hex.</param>
public sealed record IdempotencyRecord(string RequestHash, MessageId MessageId, string SubscriberId, DateTimeOffset CreatedAt);

/// <summary>The claim in force for a key; <paramref name="IsNew"/>: the caller's candidate, which it now owns.</summary>
public readonly record struct IdempotencyClaim(IdempotencyRecord Record, bool IsNew);

/// <summary>
/// The <c>idempotency_keys</c> table: per partner and key, the first request's body hash and the id
/// chosen for its message, kept for the key's lifetime. One row per key, written before the subscriber
/// entity is asked, so two nodes racing on one key agree on one message id (the primary key decides).
/// </summary>
public sealed class IdempotencyStore(GatewayDatabase database)
{
    /// <summary>
    /// Claims <paramref name="key"/> for <paramref name="candidate"/> unless a live claim exists. Returns
    /// the claim in force: the candidate (new: the caller owns the key) or the earlier one. A claim
    /// older than <paramref name="ttl"/> is replaced. Times are kept to the millisecond.
    /// </summary>
    public async Task<IdempotencyClaim> ClaimAsync(string partnerId, string key, IdempotencyRecord candidate, TimeSpan ttl,
        CancellationToken cancellationToken)
    {
        candidate = candidate with { CreatedAt = FromUnixMilliseconds(ToUnixMilliseconds(candidate.CreatedAt)) };
        await using var connection = await database.OpenAsync(cancellationToken);
        // Each round claims, finds a live claim, or lost a race to another node that the next round sees.
        for (var round = 0; round < 4; round++)
        {
            await using (var insert = Command(connection, """
                INSERT INTO idempotency_keys (partner_id, idempotency_key, request_hash, message_id, subscriber_id, created_at)
                VALUES (@partner, @key, @hash, @message, @subscriber, @created)
                ON CONFLICT (partner_id, idempotency_key) DO NOTHING
                """))
            {
                AddClaim(insert, partnerId, key, candidate);
                if (await insert.ExecuteNonQueryAsync(cancellationToken) == 1)
                    return new IdempotencyClaim(candidate, IsNew: true);
            }

            var existing = await FindAsync(connection, partnerId, key, cancellationToken);
            if (existing is null)
                continue; // deleted between the two statements: insert again
            if (existing.CreatedAt + ttl > candidate.CreatedAt)
                return new IdempotencyClaim(existing, IsNew: false);

            await using var replace = Command(connection, """
                UPDATE idempotency_keys
                SET request_hash = @hash, message_id = @message, subscriber_id = @subscriber, created_at = @created
                WHERE partner_id = @partner AND idempotency_key = @key AND created_at = @previous
                """);
            AddClaim(replace, partnerId, key, candidate);
            Add(replace, "previous", ToUnixMilliseconds(existing.CreatedAt), DbType.Int64);
            if (await replace.ExecuteNonQueryAsync(cancellationToken) == 1)
                return new IdempotencyClaim(candidate, IsNew: true);
        }
        throw new InvalidOperationException($"Idempotency key of partner {partnerId} kept changing while it was claimed.");
    }

    /// <summary>Gives the key up when the message it named was refused, so that nothing refers to a message that does not exist.</summary>
    public async Task ReleaseAsync(string partnerId, string key, MessageId messageId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection,
            "DELETE FROM idempotency_keys WHERE partner_id = @partner AND idempotency_key = @key AND message_id = @message");
        Add(command, "partner", partnerId, DbType.String);
        Add(command, "key", key, DbType.String);
        Add(command, "message", messageId.Value, DbType.String);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deletes keys claimed before <paramref name="before"/>; returns how many.</summary>
    public async Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM idempotency_keys WHERE created_at < @before");
        Add(command, "before", ToUnixMilliseconds(before), DbType.Int64);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<IdempotencyRecord?> FindAsync(System.Data.Common.DbConnection connection, string partnerId, string key,
        CancellationToken cancellationToken)
    {
        await using var command = Command(connection, """
            SELECT request_hash, message_id, subscriber_id, created_at FROM idempotency_keys
            WHERE partner_id = @partner AND idempotency_key = @key
            """);
        Add(command, "partner", partnerId, DbType.String);
        Add(command, "key", key, DbType.String);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        return new IdempotencyRecord(reader.GetString(0), MessageId.Parse(reader.GetString(1)), reader.GetString(2),
            FromUnixMilliseconds(reader.GetInt64(3)));
    }

    private static void AddClaim(System.Data.Common.DbCommand command, string partnerId, string key, IdempotencyRecord claim)
    {
        Add(command, "partner", partnerId, DbType.String);
        Add(command, "key", key, DbType.String);
        Add(command, "hash", claim.RequestHash, DbType.String);
        Add(command, "message", claim.MessageId.Value, DbType.String);
        Add(command, "subscriber", claim.SubscriberId, DbType.String);
        Add(command, "created", ToUnixMilliseconds(claim.CreatedAt), DbType.Int64);
    }
}
