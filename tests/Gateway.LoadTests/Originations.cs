using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Gateway.LoadTests;

/// <summary>Handsets sending SMS through the simulator (<c>POST /sim/handsets/{mobile}/messages</c>).</summary>
public static class Originations
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Padding = new();

    /// <summary>One SMS from subscriber <paramref name="subscriber"/>'s handset, its text starting with the injection stamp.</summary>
    public static HttpRequestMessage Sms(int subscriber, int textLength)
    {
        var stamp = PartnerSink.InjectionStamp();
        var padding = Padding.GetOrAdd(textLength, Scenarios.IngestScenario.SmsText);
        padding = padding[..Math.Max(1, textLength - stamp.Length)];
        var request = new HttpRequestMessage(HttpMethod.Post, $"/sim/handsets/{Uri.EscapeDataString(Provisioner.Mobile(subscriber))}/messages")
        {
            Content = JsonContent.Create(new { type = "sms", to = new[] { "+12145550100" }, text = stamp + padding }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", LoadSetup.AdminToken);
        return request;
    }

    /// <summary>
    /// <paramref name="perSubscriber"/> messages from each of <paramref name="subscribers"/> handsets,
    /// closed loop on <paramref name="connections"/> connections, round after round over the handsets.
    /// </summary>
    public static Task<LoadResult> InjectAsync(
        HttpClient client, int subscribers, int perSubscriber, int connections, int textLength, Progress progress, string label) =>
        LoadDriver.ClosedLoopAsync(client, connections, TimeSpan.FromHours(1),
            sequence => Sms((int)(sequence % subscribers), textLength), progress, label, limit: (long)subscribers * perSubscriber);

    /// <summary>Waits (at most <paramref name="limit"/>) until <paramref name="done"/> holds; returns how long it took, or null.</summary>
    public static async Task<TimeSpan?> WaitForAsync(Func<bool> done, TimeSpan limit, Progress progress, Func<string> status)
    {
        var clock = Stopwatch.StartNew();
        using (progress.Every(status))
        {
            while (!done())
            {
                if (clock.Elapsed > limit)
                    return null;
                await Task.Delay(50);
            }
        }
        return clock.Elapsed;
    }
}
