namespace Gateway.Engine.Subscribers;

/// <summary>
/// The node's delivery outcomes waiting to be journaled, at most
/// <c>gateway.delivery.max-outcomes-unjournaled</c> of them: a lane whose attempt ended waits for a
/// permit before handing the outcome to its entity, which gives the permit back once the outcome is
/// journaled (or when it stops).
/// </summary>
/// <remarks>
/// Every attempt ends in a journal write. Without this bound, deliveries that go faster than the
/// journal writes (a partner back after an outage with 100,000 subscribers' messages due) queue
/// those writes without limit: the journal's answers take longer than its circuit breaker's
/// call timeout, the breaker opens, every entity whose write fails stops and, restarted, delivers
/// its unjournaled message again. With it, deliveries go at the journal's pace: a lane waiting for a
/// permit starts no new attempt. The permit is taken after the attempt, not before, so that a slow
/// partner, whose attempts wait on its own connections, does not hold other partners' permits.
/// </remarks>
public sealed class DeliveryPermits(int limit)
{
    private readonly SemaphoreSlim _permits = new(limit, limit);

    /// <summary>No bound (specs that do not exercise it).</summary>
    public static DeliveryPermits Unbounded() => new(int.MaxValue);

    public int Available => _permits.CurrentCount;

    public Task TakeAsync() => _permits.WaitAsync();

    public void Give() => _permits.Release();
}
