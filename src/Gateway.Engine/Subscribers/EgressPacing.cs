using Akka.Actor;
using Akka.Streams.Dsl;
using Gateway.Domain.Messaging;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// When a lane's <see cref="DelayFlow{T}"/> releases the head for its next attempt: not before the
/// head's <see cref="PendingMessage.NextAttemptAt"/> (store and forward), not sooner than one egress
/// interval after the previous release (the per-subscriber rate), and not after the head's expiry, so
/// that an expiring message is discarded on time. Time is the scheduler's, so specs on a test
/// scheduler run 30 s and 7 d in virtual time (Akka's Throttle reads the wall clock, which would not).
/// </summary>
public sealed class EgressPacing(TimeSpan interval, ITimeProvider clock) : IDelayStrategy<PendingMessage>
{
    private DateTimeOffset? _lastRelease;

    public TimeSpan NextDelay(PendingMessage head)
    {
        var now = clock.Now;
        var due = head.NextAttemptAt ?? now;
        if (_lastRelease is { } last && last + interval > due)
            due = last + interval;
        if (due > head.ExpiresAt)
            due = head.ExpiresAt;
        if (due < now)
            due = now;
        _lastRelease = due;
        return due - now;
    }
}
