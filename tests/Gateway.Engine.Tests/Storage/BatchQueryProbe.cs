using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using LinqToDB.Common;
using LinqToDB.Interceptors;

namespace Gateway.Engine.Tests.Storage;

/// <summary>
/// Sees every batch query of the batched recovery classes (it is an interceptor on their
/// connection only: the plugin's own queries use another), and makes them fail on demand.
/// </summary>
public sealed class BatchQueryProbe : CommandInterceptor
{
    public enum Kind
    {
        HighestSequenceNr,
        LatestSnapshot,
    }

    private readonly ConcurrentQueue<(Kind Kind, string[] PersistenceIds)> _queries = new();
    private volatile bool _failHighest;
    private volatile bool _failSnapshots;

    public IReadOnlyList<(Kind Kind, string[] PersistenceIds)> Queries => [.. _queries];

    public IReadOnlyList<string[]> Of(Kind kind) => [.. _queries.Where(q => q.Kind == kind).Select(q => q.PersistenceIds)];

    /// <summary>Makes every batch query of <paramref name="kind"/> fail from now on.</summary>
    public void Fail(Kind kind, bool fail = true)
    {
        if (kind == Kind.HighestSequenceNr)
            _failHighest = fail;
        else
            _failSnapshots = fail;
    }

    public void Clear() => _queries.Clear();

    public override Task<Option<DbDataReader>> ExecuteReaderAsync(
        CommandEventData eventData, DbCommand command, CommandBehavior commandBehavior, Option<DbDataReader> result, CancellationToken cancellationToken)
    {
        var kind = command.CommandText.Contains("GROUP BY", StringComparison.Ordinal) ? Kind.HighestSequenceNr : Kind.LatestSnapshot;
        _queries.Enqueue((kind, [.. command.Parameters.Cast<DbParameter>().Select(p => (string)p.Value!)]));
        if (kind == Kind.HighestSequenceNr ? _failHighest : _failSnapshots)
            throw new InvalidOperationException($"{kind} batch query failed on purpose");
        return base.ExecuteReaderAsync(eventData, command, commandBehavior, result, cancellationToken);
    }
}
