using Gateway.Engine.Configuration;

namespace Gateway.Engine.Storage.Recovery;

/// <summary>
/// Answers questions keyed by persistence id in batches, so that the entities recovering at the
/// same time cost one query instead of one each. A batch holds what queued up while the previous
/// batch's query ran (and, with a gather delay, for at most that long), up to the batch size.
/// </summary>
/// <remarks>
/// One query runs at a time and batches run in the order they filled, so a question asked after a
/// query started is answered by a later query, never by a read older than the question. A failed
/// query fails every question of its batch, each with the query's exception (the plugin's circuit
/// breaker counts them as it would count failed single queries); the next batch runs as usual.
/// Queries run on the thread pool, never on the plugin actor's thread.
/// </remarks>
/// <typeparam name="TRow">What the query finds for one persistence id; an id it finds nothing for is absent from the answer.</typeparam>
internal sealed class RecoveryBatcher<TRow> where TRow : notnull
{
    /// <summary>The one query of a batch: a row per persistence id it finds something for.</summary>
    public delegate Task<IReadOnlyDictionary<string, TRow>> BatchQuery(IReadOnlyCollection<string> persistenceIds, CancellationToken cancellationToken);

    private readonly BatchQuery _query;
    private readonly BatchedRecoverySettings _settings;
    private readonly Action<int>? _answered;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly Queue<Batch> _batches = new();
    // The newest batch while it still takes questions: not full and its query not started.
    private Batch? _filling;
    private bool _draining;

    /// <param name="answered">Told the number of persistence ids of every batch whose query succeeded (for a debug log).</param>
    public RecoveryBatcher(BatchQuery query, BatchedRecoverySettings settings, Action<int>? answered = null)
    {
        _query = query;
        _settings = settings;
        _answered = answered;
    }

    /// <summary>
    /// The answer of the batch this question joins: the row of <paramref name="persistenceId"/>, if
    /// any, is in it. The task fails with the batch's query, or is canceled once the batcher is stopped.
    /// </summary>
    public Task<IReadOnlyDictionary<string, TRow>> Ask(string persistenceId)
    {
        lock (_gate)
        {
            if (_stopping.IsCancellationRequested)
                return Task.FromCanceled<IReadOnlyDictionary<string, TRow>>(_stopping.Token);
            if (_filling is null || _filling.IsFull)
            {
                _filling = new Batch(_settings.MaxBatchSize);
                _batches.Enqueue(_filling);
            }
            _filling.Add(persistenceId);
            var answer = _filling.Answer;
            if (!_draining)
            {
                _draining = true;
                _ = Task.Run(DrainAsync);
            }
            return answer;
        }
    }

    /// <summary>Cancels the running query, and the questions not answered yet; later questions are canceled at once.</summary>
    public void Stop()
    {
        lock (_gate)
            _stopping.Cancel();
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            Batch next;
            lock (_gate)
            {
                if (!_batches.TryPeek(out next!))
                {
                    _draining = false;
                    return;
                }
            }
            if (_settings.GatherDelay > TimeSpan.Zero)
                await next.FullOrAfterAsync(_settings.GatherDelay, _stopping.Token);
            lock (_gate)
            {
                _batches.Dequeue();
                if (ReferenceEquals(_filling, next))
                    _filling = null;
            }
            await RunAsync(next);
        }
    }

    private async Task RunAsync(Batch batch)
    {
        try
        {
            _stopping.Token.ThrowIfCancellationRequested();
            var rows = await _query(batch.PersistenceIds, _stopping.Token);
            batch.Succeed(rows);
            _answered?.Invoke(batch.PersistenceIds.Count);
        }
        catch (Exception e)
        {
            batch.Fail(e);
        }
    }

    /// <summary>The distinct persistence ids of one query and the answer every question about them shares.</summary>
    private sealed class Batch(int maxSize)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        // Continuations run on the thread pool, not one after the other on the thread that completes the batch.
        private readonly TaskCompletionSource<IReadOnlyDictionary<string, TRow>> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _full = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<string> PersistenceIds => _ids;

        public Task<IReadOnlyDictionary<string, TRow>> Answer => _answer.Task;

        public bool IsFull => _ids.Count >= maxSize;

        /// <summary>Called under the batcher's lock, before the batch's query starts.</summary>
        public void Add(string persistenceId)
        {
            if (_ids.Add(persistenceId) && IsFull)
                _full.TrySetResult();
        }

        public async Task FullOrAfterAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            try
            {
                await _full.Task.WaitAsync(delay, cancellationToken);
            }
            catch (Exception)
            {
                // Not full within the delay, or stopping: the query goes with what it has. Nothing
                // here may end the drain loop, or every later question would wait forever.
            }
        }

        public void Succeed(IReadOnlyDictionary<string, TRow> rows) => _answer.TrySetResult(rows);

        public void Fail(Exception cause)
        {
            if (cause is OperationCanceledException canceled)
                _answer.TrySetCanceled(canceled.CancellationToken);
            else
                _answer.TrySetException(cause);
        }
    }
}
