using Akka.Actor;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Gateway.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Domain.Provisioning.ProvisioningEvents;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Benchmarks;

/// <summary>
/// Managed memory per subscriber entity: starts N entities on a node built the production way
/// (SQLite journal), gives each one termination that the network holds in flight (an active entity:
/// its mt lane is mid-attempt), and measures the GC heap before and after; then stops them all
/// (as passivation does) and measures again.
/// <c>dotnet run -c Release --project tests/Gateway.Benchmarks -- entity-memory [N]</c>
/// </summary>
public static class EntityMemory
{
    private const int WarmUp = 100;

    public static async Task RunAsync(int count)
    {
        using var data = new TempDirectory();
        await using var node = await TestNode.StartAsync(data.Path, new TestStorage.Sqlite());
        var system = node.System;
        var directory = node.Services.GetRequiredService<ProvisioningDirectory>();
        var catalog = Catalog.Empty.Apply(new PartnerSaved(new Partner(new PartnerId("p1"), HttpUrl.Parse("http://127.0.0.1:9/hook"), null,
            SecretDigest.Of("secret"), new Secret("token"))));
        for (var i = 0; i < WarmUp + count; i++)
            catalog = catalog.Apply(new SubscriberSaved(new Subscriber(new SubscriberId($"s{i}"), E164Number.Parse($"+1555{i:D7}"),
                E164Number.Parse($"+1666{i:D7}"), "bench.example", new PartnerId("p1"), null)));
        directory.Reset(catalog, WarmUp + count + 1);
        directory.MarkLoaded();
        var settings = SubscriberSettings.FromConfig(TestNode.LoadConfig(data.Path, new TestStorage.Sqlite()));
        var network = new HoldingNetwork();
        var webhook = new HoldingWebhook();

        // warm up code paths and the journal with entities that are not counted
        var warm = await StartAsync(system, settings, directory, network, webhook, 0, WarmUp);
        await WaitForInFlightAsync(network, WarmUp);
        await StopAsync(warm);

        var before = Heap();
        var entities = await StartAsync(system, settings, directory, network, webhook, WarmUp, count);
        await WaitForInFlightAsync(network, WarmUp + count);
        var active = Heap();
        Console.WriteLine($"{count} active entities (one message in flight each): {(active - before) / (double)count / 1024:F1} KB per entity");

        await StopAsync(entities);
        entities.Clear();
        await Task.Delay(TimeSpan.FromSeconds(3)); // let stream actors and journal requests of the stopped entities finish
        var stopped = Heap();
        Console.WriteLine($"after stopping them (passivated): {(stopped - before) / (double)count:F0} bytes per entity");
    }

    private static async Task<List<IActorRef>> StartAsync(ActorSystem system, SubscriberSettings settings, ProvisioningDirectory directory,
        IMobileNetwork network, IPartnerWebhook webhook, int from, int count)
    {
        var entities = new List<IActorRef>(count);
        for (var i = from; i < from + count; i++)
        {
            var id = $"s{i}";
            var entity = system.ActorOf(SubscriberEntity.Props(new SubscriberId(id), settings, directory, network, webhook), $"entity-{i}");
            entities.Add(entity);
            var content = new MessageContent(MessageType.Sms, "12345", [$"+1666{i:D7}"], $"+1666{i:D7}", new string('x', 100), []);
            await entity.Ask<Accepted>(new AcceptTermination(id, content), TimeSpan.FromSeconds(30));
        }
        return entities;
    }

    private static async Task WaitForInFlightAsync(HoldingNetwork network, int expected)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (network.InFlight < expected)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Only {network.InFlight} of {expected} submissions reached the network.");
            await Task.Delay(50);
        }
    }

    private static async Task StopAsync(List<IActorRef> entities)
    {
        await Task.WhenAll(entities.Select(e => e.GracefulStop(TimeSpan.FromSeconds(30))));
    }

    private static long Heap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>A network that takes every submission and never answers: each entity stays mid-attempt.</summary>
    private sealed class HoldingNetwork : IMobileNetwork
    {
        private int _inFlight;
        public int InFlight => Volatile.Read(ref _inFlight);

        public Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _inFlight);
            return new TaskCompletionSource<DeliveryOutcome>().Task;
        }
    }

    private sealed class HoldingWebhook : IPartnerWebhook
    {
        public Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken) =>
            new TaskCompletionSource<DeliveryOutcome>().Task;
    }
}
