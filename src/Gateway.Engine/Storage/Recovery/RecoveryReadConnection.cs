using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using LinqToDB;
using LinqToDB.Data;
using LinqToDB.Internal.SqlProvider;
using LinqToDB.SqlQuery;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// Runs the read of one recovery batch the way Akka.Persistence.Sql runs its own reads: on a
/// connection made from the gateway's <see cref="DataOptions"/> (on SQLite that includes the
/// connection interceptor: WAL, busy timeout, the yield on open), inside a transaction at the
/// plugin's <c>read-isolation-level</c> (on SQLite <c>read-uncommitted</c>, a deferred
/// transaction that waits for no writer). Every persistence id is a parameter, never text in the SQL.
/// </summary>
internal sealed class RecoveryReadConnection
{
    private const string ParameterPrefix = "p";

    private readonly DataOptions _options;
    private readonly IsolationLevel _readIsolation;
    private readonly Lazy<ISqlBuilder> _names;

    public RecoveryReadConnection(DataOptions options, IsolationLevel readIsolation)
    {
        _options = options;
        _readIsolation = readIsolation;
        // No connection is opened for this: the builder only knows how the provider quotes names.
        _names = new Lazy<ISqlBuilder>(() =>
        {
            using var db = new DataConnection(options);
            return db.DataProvider.CreateSqlBuilder(db.MappingSchema, db.Options);
        });
    }

    /// <summary>
    /// A table name as linq2db writes it for this provider, which is how it wrote it when the plugin
    /// created the table (PostgreSQL folds unquoted names to lower case, so quoting must match).
    /// </summary>
    public string Table(string? schema, string name) =>
        _names.Value.BuildObjectName(new StringBuilder(), new SqlObjectName(name, Schema: schema), ConvertType.NameToQueryTable).ToString();

    /// <summary>A column name as linq2db writes it for this provider.</summary>
    public string Column(string name) => _names.Value.ConvertInline(name, ConvertType.NameToQueryField);

    /// <summary>The placeholders of <paramref name="count"/> persistence ids: <c>@p0, @p1, …</c> (both SQLite and Npgsql take <c>@name</c>).</summary>
    public static string Placeholders(int count)
    {
        var text = new StringBuilder(count * 6);
        for (var i = 0; i < count; i++)
        {
            if (i > 0)
                text.Append(", ");
            text.Append('@').Append(ParameterPrefix).Append(i.ToString(CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>Runs <paramref name="sql"/>, whose placeholders are <see cref="Placeholders"/> of <paramref name="persistenceIds"/>, in one read transaction.</summary>
    public async Task<List<T>> QueryAsync<T>(
        string sql, IReadOnlyCollection<string> persistenceIds, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var parameters = persistenceIds
            .Select((id, i) => DataParameter.NVarChar(ParameterPrefix + i.ToString(CultureInfo.InvariantCulture), id))
            .ToArray();
        await using var db = new DataConnection(_options);
        await using var transaction = await db.BeginTransactionAsync(_readIsolation, cancellationToken);
        var rows = await db.QueryToListAsync(read, sql, cancellationToken, parameters);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
