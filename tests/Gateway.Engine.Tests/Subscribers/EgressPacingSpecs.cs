using Akka.Actor;
using Gateway.Engine.Subscribers;

namespace Gateway.Engine.Tests.Subscribers;

public sealed class EgressPacingSpecs
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private static readonly DateTimeOffset T0 = SubscriberSamples.At;

    private readonly ManualClock _clock = new(T0);

    [Fact]
    public void The_first_head_should_go_at_once()
    {
        var pacing = new EgressPacing(Interval, _clock);

        Assert.Equal(TimeSpan.Zero, pacing.NextDelay(SubscriberSamples.Pending()));
    }

    [Fact]
    public void The_next_head_should_wait_one_interval_from_when_the_previous_attempt_ended()
    {
        var pacing = new EgressPacing(Interval, _clock);
        pacing.AttemptEnded(T0);
        _clock.Now = T0.AddMilliseconds(200); // the outcome is journaled, the next head offered

        Assert.Equal(TimeSpan.FromMilliseconds(800), pacing.NextDelay(SubscriberSamples.Pending()));
    }

    [Fact]
    public void A_slow_attempt_should_push_the_next_one_a_whole_interval_past_its_answer()
    {
        var pacing = new EgressPacing(Interval, _clock);
        // sent at T0, but its answer came back only after 3 s (it waited for a connection, or the
        // receiver was slow): the receiver may have got it at T0 + 2.9 s
        pacing.AttemptEnded(T0.AddSeconds(3));
        _clock.Now = T0.AddMilliseconds(3100);

        Assert.Equal(TimeSpan.FromMilliseconds(900), pacing.NextDelay(SubscriberSamples.Pending()));
    }

    [Fact]
    public void A_retry_should_wait_for_its_own_time_when_that_is_later()
    {
        var pacing = new EgressPacing(Interval, _clock);
        pacing.AttemptEnded(T0);
        _clock.Now = T0.AddMilliseconds(100);

        var retry = SubscriberSamples.Pending() with { NextAttemptAt = T0.AddSeconds(30) };

        Assert.Equal(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(100), pacing.NextDelay(retry));
    }

    [Fact]
    public void A_head_should_be_released_at_its_expiry_rather_than_later()
    {
        var pacing = new EgressPacing(Interval, _clock);
        var expiring = SubscriberSamples.Pending() with { NextAttemptAt = T0.AddSeconds(30), ExpiresAt = T0.AddSeconds(10) };

        Assert.Equal(TimeSpan.FromSeconds(10), pacing.NextDelay(expiring));
    }

    private sealed class ManualClock(DateTimeOffset now) : ITimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public TimeSpan MonotonicClock => TimeSpan.Zero;
        public TimeSpan HighResMonotonicClock => TimeSpan.Zero;
    }
}
