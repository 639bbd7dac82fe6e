using System.Globalization;
using System.Text.RegularExpressions;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>The message counters of the <c>Gateway</c> meter, as <c>GET /metrics</c> exports them.</summary>
public sealed class MessageMetricsSpecs
{
    [Fact]
    public async Task Metrics_should_count_accepted_delivered_and_queued_messages()
    {
        await using var gateway = await StartAsync();
        await gateway.ProvisionPartnerAsync("p1", "partner-secret");
        await gateway.ProvisionSubscriberAsync("s1", "+19465559040", "+19465559041", "p1");
        await gateway.SetReachableAsync("+19465559040", false);

        await AcceptAsync(gateway.PartnerClient("partner-secret"), Sms("+12145555273", "+19465559041", "held"));
        await EventuallyAsync(() => gateway.QueueAsync("s1", "mt"), queue => queue.Count == 1 && queue[0].GetProperty("attempts").GetInt32() == 1,
            "one attempt made");

        // The counters are process-wide (other specs' hosts in this process count into them too):
        // each series must be there, with at least this spec's message.
        var metrics = await gateway.App.CreateClient().GetStringAsync("/metrics");
        foreach (var series in new[] { "accepted", "queued", "retried" })
        {
            var line = Regex.Match(metrics, $@"^gateway_messages_{series}\{{direction=""mt"",type=""sms""\}} (\d+)$", RegexOptions.Multiline);
            Assert.True(line.Success, $"gateway_messages_{series} is not exported");
            Assert.True(long.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture) >= 1);
        }
    }
}
