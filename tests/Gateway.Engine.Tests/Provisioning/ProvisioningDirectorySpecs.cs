using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Engine.Tests.Provisioning;

public sealed class ProvisioningDirectorySpecs
{
    private static readonly IProvisioningEvent Partner = new PartnerSaved(Samples.Partner());

    private static IProvisioningEvent Subscriber(int i) =>
        new SubscriberSaved(Samples.Subscriber($"s{i}", $"+1946555{i:D4}"));

    [Fact]
    public void ProvisioningDirectory_should_apply_events_in_sequence_order()
    {
        var directory = new ProvisioningDirectory();

        directory.Apply(1, Partner);
        directory.Apply(2, Subscriber(1));

        Assert.Equal(2, directory.SequenceNr);
        Assert.NotNull(directory.Catalog.FindSubscriber(new SubscriberId("s1")));
    }

    [Fact]
    public void ProvisioningDirectory_should_ignore_an_event_it_already_has()
    {
        var directory = new ProvisioningDirectory();
        directory.Apply(1, Partner);
        directory.Apply(2, Subscriber(1));

        directory.Apply(2, Subscriber(2));

        Assert.Equal(2, directory.SequenceNr);
        Assert.Null(directory.Catalog.FindSubscriber(new SubscriberId("s2")));
    }

    [Fact]
    public void ProvisioningDirectory_should_hold_an_event_ahead_of_a_gap_until_the_gap_is_filled()
    {
        var directory = new ProvisioningDirectory();
        directory.Apply(1, Partner);

        directory.Apply(3, Subscriber(3));
        Assert.Equal(1, directory.SequenceNr);
        Assert.Null(directory.Catalog.FindSubscriber(new SubscriberId("s3")));

        directory.Apply(2, Subscriber(2));
        Assert.Equal(3, directory.SequenceNr);
        Assert.NotNull(directory.Catalog.FindSubscriber(new SubscriberId("s3")));
    }

    [Fact]
    public void ProvisioningDirectory_should_start_from_a_snapshot_only_when_it_is_newer()
    {
        var directory = new ProvisioningDirectory();
        var snapshot = Catalog.Empty.Apply(Partner).Apply(Subscriber(1));

        directory.Reset(snapshot, 10);
        directory.Reset(Catalog.Empty, 5);

        Assert.Equal(10, directory.SequenceNr);
        Assert.Equal(1, directory.Catalog.SubscriberCount);
    }

    [Fact]
    public async Task ProvisioningDirectory_should_release_a_waiter_when_the_awaited_event_arrives()
    {
        var directory = new ProvisioningDirectory();
        var waiting = directory.WaitForAsync(2, TimeSpan.FromSeconds(10));
        Assert.False(waiting.IsCompleted);

        directory.Apply(1, Partner);
        Assert.False(waiting.IsCompleted);
        directory.Apply(2, Subscriber(1));

        Assert.True(await waiting);
        Assert.True(await directory.WaitForAsync(1, TimeSpan.Zero));
    }

    [Fact]
    public async Task ProvisioningDirectory_should_answer_false_when_the_awaited_event_does_not_arrive_in_time()
    {
        var directory = new ProvisioningDirectory();

        Assert.False(await directory.WaitForAsync(1, TimeSpan.FromMilliseconds(50)));
    }
}
