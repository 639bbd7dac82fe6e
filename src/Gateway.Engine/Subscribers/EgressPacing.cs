using Akka.Actor;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// When a lane's <see cref="DelayFlow{T}"/> releases the head for its next attempt: not before the
/// head's <see cref="PendingMessage.NextAttemptAt"/> (store and forward), not sooner than one egress
/// interval after the previous attempt ended (the per-subscriber rate), and not after the head's
/// expiry, so that an expiring message is discarded on time. Time is the scheduler's, so specs on a
/// test scheduler run 30 s and 7 d in virtual time (Akka's Throttle reads the wall clock, which would not).
/// </summary>
/// <remarks>
/// The interval counts from when the previous attempt ended (<see cref="AttemptEnded"/>: its answer came
/// back, or it failed), not from when it started or was planned. The receiver (the partner's webhook,
/// the SMSC) has the previous message before it answers, and gets the next one after the gateway sends
/// it, so it never sees two of one subscriber closer than the interval, however long each request
/// waited on the way (a busy machine, a connection pool, the network). Counting from the start would
/// let a request that was slow to arrive land less than an interval before the next one. The price:
/// a subscriber with a backlog is paced at one message per interval plus one round trip.
/// </remarks>
public sealed class EgressPacing(TimeSpan interval, ITimeProvider clock) : IDelayStrategy<PendingMessage>
{
    private long _lastEndTicks = long.MinValue;

    /// <summary>The lane's delivery stage had the outcome of an attempt at <paramref name="at"/>.</summary>
    public void AttemptEnded(DateTimeOffset at) => Volatile.Write(ref _lastEndTicks, at.UtcTicks);

    public TimeSpan NextDelay(PendingMessage head)
    {
        var now = clock.Now;
        var due = head.NextAttemptAt ?? now;
        var lastEnd = Volatile.Read(ref _lastEndTicks);
        if (lastEnd != long.MinValue && new DateTimeOffset(lastEnd, TimeSpan.Zero) + interval > due)
            due = new DateTimeOffset(lastEnd, TimeSpan.Zero) + interval;
        if (due > head.ExpiresAt)
            due = head.ExpiresAt;
        if (due < now)
            due = now;
        return due - now;
    }
}
