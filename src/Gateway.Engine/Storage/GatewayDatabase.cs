using System.Data;
using System.Data.Common;
using Gateway.Engine.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Gateway.Engine.Storage;

/// <summary>
/// The gateway's own tables, next to the journal in the same database (the SQLite file or the
/// PostgreSQL database every node shares): the message status view, the partners' idempotency
/// keys and the Message Copy backlog. Plain SQL that both engines run unchanged (<c>ON CONFLICT</c>, <c>BIGINT</c> times in Unix
/// milliseconds). One instance per node; thread-safe (a connection per call, from the driver's pool).
/// </summary>
public sealed class GatewayDatabase : IAsyncDisposable
{
    // Any constant works: it only has to be the same on every node (PostgreSQL advisory lock key).
    private const long SchemaLockKey = 0x6761_7465_7761_7901;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS message_status (
            id TEXT NOT NULL PRIMARY KEY,
            subscriber_id TEXT NOT NULL,
            direction TEXT NOT NULL,
            type TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            segments INTEGER);
        CREATE INDEX IF NOT EXISTS message_status_updated_at ON message_status (updated_at);
        CREATE TABLE IF NOT EXISTS message_status_progress (
            projection TEXT NOT NULL PRIMARY KEY,
            event_offset BIGINT NOT NULL,
            journal_watermark BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS idempotency_keys (
            partner_id TEXT NOT NULL,
            idempotency_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            message_id TEXT NOT NULL,
            subscriber_id TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (partner_id, idempotency_key));
        CREATE INDEX IF NOT EXISTS idempotency_keys_created_at ON idempotency_keys (created_at);
        CREATE TABLE IF NOT EXISTS message_copies (
            copy_key TEXT NOT NULL PRIMARY KEY,
            recording_server_id TEXT NOT NULL,
            captured_at BIGINT NOT NULL,
            journal_ordering BIGINT NOT NULL,
            payload TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS message_copies_offload_order ON message_copies (recording_server_id, captured_at, journal_ordering);
        CREATE TABLE IF NOT EXISTS message_copy_offloads (
            recording_server_id TEXT NOT NULL PRIMARY KEY,
            last_cycle_at BIGINT,
            last_success_at BIGINT,
            last_failure_at BIGINT,
            last_failure TEXT);
        """;

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqliteConnectionString;
    private readonly string? _sqlitePragmas;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    public GatewayDatabase(StorageSettings settings)
    {
        if (settings.Backend == StorageBackend.Postgres)
        {
            _postgres = NpgsqlDataSource.Create(settings.PostgresConnectionString!);
        }
        else
        {
            _sqliteConnectionString = JournalStorage.SqliteConnectionString(settings.Sqlite);
            _sqlitePragmas = JournalStorage.SqlitePragmas(settings.Sqlite);
        }
    }

    /// <summary>An open connection on which the gateway's tables exist.</summary>
    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_schemaReady)
            await EnsureSchemaAsync(cancellationToken);
        return await OpenRawAsync(cancellationToken);
    }

    /// <summary>The highest event ordering in the journal (0 when it is empty).</summary>
    public async Task<long> JournalHeadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT COALESCE(MAX(ordering), 0) FROM journal");
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static void Add(DbCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public static long ToUnixMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    public static DateTimeOffset FromUnixMilliseconds(long milliseconds) => DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);

    private async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        await _schemaGate.WaitAsync(cancellationToken);
        try
        {
            if (_schemaReady)
                return;
            await using var connection = await OpenRawAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (_postgres is not null)
            {
                // Nodes starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
                await using var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(@key)", transaction);
                Add(lockCommand, "key", SchemaLockKey, DbType.Int64);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var command = Command(connection, Schema, transaction))
                await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    private async Task<DbConnection> OpenRawAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null)
            return await _postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(_sqliteConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // The journal's connections run the same: WAL, the configured synchronous, the busy timeout.
            await using var command = Command(connection, _sqlitePragmas!);
            await command.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null)
            await _postgres.DisposeAsync();
        _schemaGate.Dispose();
    }
}
