namespace Gateway.Testing;

/// <summary>
/// Work over many items with a bound on how much runs at once: a spec that makes hundreds of
/// entities save snapshots together would otherwise open as many database connections, more than
/// a PostgreSQL server shared by the test classes running in parallel allows (100 by default).
/// </summary>
public static class Limited
{
    /// <summary>The results of <paramref name="work"/> for every item (with its index), in item order, at most <paramref name="atOnce"/> running at a time.</summary>
    public static async Task<TResult[]> SelectAsync<T, TResult>(IReadOnlyList<T> items, int atOnce, Func<T, int, Task<TResult>> work)
    {
        var results = new TResult[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count), new ParallelOptions { MaxDegreeOfParallelism = atOnce },
            async (i, _) => results[i] = await work(items[i], i));
        return results;
    }

    public static Task ForEachAsync<T>(IReadOnlyList<T> items, int atOnce, Func<T, int, Task> work) =>
        SelectAsync(items, atOnce, async (item, i) =>
        {
            await work(item, i);
            return true;
        });
}
