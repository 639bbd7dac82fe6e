using Akka.Actor;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// When a lane's <see cref="DelayFlow{T}"/> releases the head for its next attempt: not before the
/// head's <see cref="PendingMessage.NextAttemptAt"/> (store and forward), not sooner than one egress
/// interval after the previous attempt started (the per-subscriber rate), and not after the head's
/// expiry, so that an expiring message is discarded on time. Time is the scheduler's, so specs on a
/// test scheduler run 30 s and 7 d in virtual time (Akka's Throttle reads the wall clock, which would not).
/// </summary>
/// <remarks>
/// The interval counts from when the previous attempt actually started (<see cref="AttemptStarted"/>),
/// not from when it was planned: a timer fires a little late (the scheduler's tick, a busy thread
/// pool), and counting from the plan would let the next attempt catch up and start sooner than one
/// interval after the late one.
/// </remarks>
public sealed class EgressPacing(TimeSpan interval, ITimeProvider clock) : IDelayStrategy<PendingMessage>
{
    private long _lastStartTicks = long.MinValue;

    /// <summary>The lane's delivery stage started an attempt at <paramref name="at"/>.</summary>
    public void AttemptStarted(DateTimeOffset at) => Volatile.Write(ref _lastStartTicks, at.UtcTicks);

    public TimeSpan NextDelay(PendingMessage head)
    {
        var now = clock.Now;
        var due = head.NextAttemptAt ?? now;
        var lastStart = Volatile.Read(ref _lastStartTicks);
        if (lastStart != long.MinValue && new DateTimeOffset(lastStart, TimeSpan.Zero) + interval > due)
            due = new DateTimeOffset(lastStart, TimeSpan.Zero) + interval;
        if (due > head.ExpiresAt)
            due = head.ExpiresAt;
        if (due < now)
            due = now;
        return due - now;
    }
}
