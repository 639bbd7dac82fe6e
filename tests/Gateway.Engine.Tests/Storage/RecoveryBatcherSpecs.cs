using System.Collections.Concurrent;
using Gateway.Engine.Configuration;
using Gateway.Engine.Storage.Recovery;

namespace Gateway.Engine.Tests.Storage;

/// <summary>
/// The batching of recovery reads on its own: what joins which query, the batch size, failures,
/// the order of questions about one persistence id, the gather delay and stopping.
/// </summary>
public sealed class RecoveryBatcherSpecs
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Questions_asked_while_a_query_runs_should_be_answered_together_by_the_next_query()
    {
        var database = new FakeDatabase();
        var batcher = database.Batcher(maxBatchSize: 200);

        var first = batcher.Ask("a");
        await database.QueryStarted(1);
        var rest = new[] { "b", "c", "d", "e" }.Select(batcher.Ask).ToList();
        database.Release();

        Assert.Equal(1, (await first.WaitAsync(Timeout))["a"]);
        foreach (var (answer, id) in rest.Zip(new[] { "b", "c", "d", "e" }))
            Assert.Equal(2, (await answer.WaitAsync(Timeout))[id]);
        Assert.Equal([["a"], ["b", "c", "d", "e"]], database.Batches);
    }

    [Fact]
    public async Task A_batch_should_hold_at_most_the_batch_size_of_distinct_persistence_ids()
    {
        var database = new FakeDatabase();
        var batcher = database.Batcher(maxBatchSize: 2);

        var answers = new List<Task<IReadOnlyDictionary<string, int>>> { batcher.Ask("x") };
        await database.QueryStarted(1);
        answers.AddRange(new[] { "a", "a", "b", "c", "d", "e" }.Select(batcher.Ask));
        database.Release();
        await Task.WhenAll(answers).WaitAsync(Timeout);

        // A repeated id shares its batch's parameter and answer.
        Assert.Equal([["x"], ["a", "b"], ["c", "d"], ["e"]], database.Batches);
        Assert.Same(answers[1], answers[2]);
    }

    [Fact]
    public async Task A_failed_query_should_fail_every_question_of_its_batch_and_the_next_batch_should_run()
    {
        var database = new FakeDatabase();
        var batcher = database.Batcher(maxBatchSize: 200);

        var first = batcher.Ask("x");
        await database.QueryStarted(1);
        database.FailNext = new InvalidOperationException("database gone");
        var failing = new[] { "a", "b", "c" }.Select(batcher.Ask).ToList();
        database.Release();
        await first.WaitAsync(Timeout);
        foreach (var answer in failing)
        {
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() => answer.WaitAsync(Timeout));
            Assert.Equal("database gone", error.Message);
        }

        var later = batcher.Ask("a");
        Assert.Equal(3, (await later.WaitAsync(Timeout))["a"]);
        Assert.Equal([["x"], ["a", "b", "c"], ["a"]], database.Batches);
    }

    [Fact]
    public async Task A_question_asked_after_its_ids_query_started_should_be_answered_by_a_later_query()
    {
        var database = new FakeDatabase();
        var batcher = database.Batcher(maxBatchSize: 200);

        var before = batcher.Ask("a");
        await database.QueryStarted(1);
        var after = batcher.Ask("a");
        database.Release();

        // The fake answers every id with the number of its query: a later read, never the earlier one.
        Assert.Equal(1, (await before.WaitAsync(Timeout))["a"]);
        Assert.Equal(2, (await after.WaitAsync(Timeout))["a"]);
    }

    [Fact]
    public async Task A_gather_delay_should_let_questions_join_before_the_query_starts_and_a_full_batch_should_not_wait()
    {
        var database = new FakeDatabase { Blocking = false };
        var waiting = database.Batcher(maxBatchSize: 200, gatherDelay: TimeSpan.FromMilliseconds(300));
        var a = waiting.Ask("a");
        var b = waiting.Ask("b");
        await Task.WhenAll(a, b).WaitAsync(Timeout);
        Assert.Equal([["a", "b"]], database.Batches);

        var full = database.Batcher(maxBatchSize: 2, gatherDelay: TimeSpan.FromMinutes(5));
        var c = full.Ask("c");
        var d = full.Ask("d");
        await Task.WhenAll(c, d).WaitAsync(Timeout);
        Assert.Equal([["a", "b"], ["c", "d"]], database.Batches);
    }

    [Fact]
    public async Task Stopping_should_cancel_the_questions_not_answered_yet_and_every_later_one()
    {
        var database = new FakeDatabase();
        var batcher = database.Batcher(maxBatchSize: 200);

        var running = batcher.Ask("a");
        await database.QueryStarted(1);
        var waiting = batcher.Ask("b");
        batcher.Stop();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeout));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.Ask("c").WaitAsync(Timeout));
        Assert.Single(database.Batches);
    }

    /// <summary>
    /// A query that records each batch's ids (sorted), answers every id with the query's number, and
    /// while <see cref="Blocking"/> holds its first query until <see cref="Release"/> (or cancellation).
    /// </summary>
    private sealed class FakeDatabase
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ConcurrentQueue<string[]> _batches = new();
        private int _queries;

        public bool Blocking { get; init; } = true;

        public volatile Exception? FailNext;

        public IReadOnlyList<string[]> Batches => [.. _batches];

        public RecoveryBatcher<int> Batcher(int maxBatchSize, TimeSpan gatherDelay = default) =>
            new(QueryAsync, new BatchedRecoverySettings(maxBatchSize, gatherDelay));

        public void Release() => _released.TrySetResult();

        public async Task QueryStarted(int count)
        {
            var deadline = DateTime.UtcNow + Timeout;
            while (Volatile.Read(ref _queries) < count)
            {
                Assert.True(DateTime.UtcNow < deadline, "The query did not start.");
                await Task.Delay(5);
            }
        }

        private async Task<IReadOnlyDictionary<string, int>> QueryAsync(IReadOnlyCollection<string> ids, CancellationToken cancellationToken)
        {
            var number = Interlocked.Increment(ref _queries);
            _batches.Enqueue([.. ids.Order(StringComparer.Ordinal)]);
            if (Blocking && number == 1)
                await _released.Task.WaitAsync(cancellationToken);
            if (number > 1 && Interlocked.Exchange(ref FailNext, null) is { } failure)
                throw failure;
            return ids.ToDictionary(id => id, _ => number);
        }
    }
}
