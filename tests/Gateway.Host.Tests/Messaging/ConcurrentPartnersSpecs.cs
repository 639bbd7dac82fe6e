using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Many partners at once (issue 5): three partners, three subscribers each, two concurrent senders per
/// subscriber each sending its messages one after the other. Every message reaches its handset once,
/// and each sender's messages arrive in the order it sent them.
/// </summary>
public sealed class ConcurrentPartnersSpecs
{
    private const int Partners = 3;
    private const int SubscribersPerPartner = 3;
    private const int MessagesPerSender = 10;
    private static readonly string[] Senders = ["A", "B"];

    [Fact]
    public async Task Concurrent_partners_and_senders_should_lose_and_duplicate_nothing_and_keep_each_senders_order()
    {
        await using var gateway = await StartAsync();
        var subscribers = new List<(string Partner, string Mobile, string Did)>();
        for (var p = 0; p < Partners; p++)
        {
            await gateway.ProvisionPartnerAsync($"p{p}", $"secret-{p}");
            for (var s = 0; s < SubscribersPerPartner; s++)
            {
                var (mobile, did) = (gateway.NewNumber(), gateway.NewNumber());
                await gateway.ProvisionSubscriberAsync($"s{p}-{s}", mobile, did, $"p{p}");
                subscribers.Add(($"secret-{p}", mobile, did));
            }
        }

        var streams = subscribers.SelectMany(subscriber => Senders.Select(async sender =>
        {
            var client = gateway.PartnerClient(subscriber.Partner);
            for (var i = 0; i < MessagesPerSender; i++)
                await AcceptAsync(client, Sms("+12145555273", subscriber.Did, $"{sender}-{i}"));
        }));
        await Task.WhenAll(streams);

        foreach (var subscriber in subscribers)
        {
            var inbox = await EventuallyAsync(() => gateway.InboxAsync(subscriber.Mobile),
                messages => messages.Count >= Senders.Length * MessagesPerSender, $"every message on {subscriber.Mobile}", seconds: 30);
            var texts = inbox.Select(m => m.GetProperty("text").GetString()!).ToList();
            Assert.Equal(Senders.Length * MessagesPerSender, texts.Count);
            Assert.Equal(texts.Count, texts.Distinct().Count());
            foreach (var sender in Senders)
                Assert.Equal(Enumerable.Range(0, MessagesPerSender).Select(i => $"{sender}-{i}"), texts.Where(t => t.StartsWith(sender + "-")));
        }
    }
}
