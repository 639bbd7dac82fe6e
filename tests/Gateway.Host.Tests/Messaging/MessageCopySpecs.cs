using System.Net;
using System.Text.Json;
using Gateway.Domain.Errors;
using Gateway.Host.Tests.Api;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Message Copy end to end (CONTRACT §6): a recording server provisioned through the admin API, a
/// group with Message Copy on, and a fake recording server (Kestrel on loopback) that receives the
/// copies of SMS and MMS in both directions, in the seed's format, in serial batches.
/// </summary>
public sealed class MessageCopySpecs
{
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";
    private const string Peer = "+12145555273";
    private const string ClientSecret = "partner-client-secret";
    private const string RecordingKey = "recording-server-key-1";

    /// <summary>A gateway with one partner, recording server rs1 at <paramref name="copiesUrl"/>, group g1 copying to it, and s1 in g1.</summary>
    private static async Task<MessagingGateway> StartAsync(string partnerUrl, string copiesUrl, int batch = 50, string interval = "1s")
    {
        var config = new Gateway.Testing.TempDirectory("message-copy");
        var hocon = Path.Combine(config.Path, "copy.hocon");
        await File.WriteAllTextAsync(hocon, "gateway.message-copy.refresh-interval = 200ms");
        var gateway = await MessagingGateway.StartAsync(new Dictionary<string, string>
        {
            ["GATEWAY_CONFIG_FILE"] = hocon,
            ["GATEWAY_COPY_INTERVAL"] = interval,
            ["GATEWAY_COPY_BATCH"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await gateway.ProvisionPartnerAsync("p1", ClientSecret, partnerUrl);
        await PutRecordingServerAsync(gateway, copiesUrl);
        await gateway.Admin.PutOk("/admin/groups/g1", """{"messageCopy": {"enabled": true, "recordingServerId": "rs1"}}""");
        await gateway.Admin.PutOk("/admin/subscribers/s1", AdminRequests.SubscriberBody(Mobile, Did, "p1", "g1"));
        return gateway;
    }

    private static Task PutRecordingServerAsync(MessagingGateway gateway, string url) =>
        gateway.Admin.PutOk("/admin/recording-servers/rs1",
            JsonSerializer.Serialize(new { name = "Recorder", url, authenticationKey = RecordingKey }, JsonOptions));

    private static JsonElement Event(PartnerCall call) => Assert.Single(call.Json.GetProperty("smsEvent").EnumerateArray());

    [Fact]
    public async Task Sms_and_mms_in_both_directions_should_reach_the_recording_server_in_the_seeds_format()
    {
        await using var servers = await RecordingPartner.StartAsync();
        await using var gateway = await StartAsync(servers.Url("hook", "200"), servers.Url("copies", "200"));
        var partner = gateway.PartnerClient(ClientSecret);
        byte[] picture = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3, 4, 5];

        var mtSms = await AcceptAsync(partner, Sms(Peer, Did, "Hello, \"copy\" 😀"));
        var mtMms = await AcceptAsync(partner, JsonSerializer.Serialize(new
        {
            type = "mms", from = Peer, to = new[] { Did, "+13125550000" }, owner = Did, text = "group pic",
            media = new[] { new { contentType = "image/png", fileName = "pic.png", content = Convert.ToBase64String(picture) } },
        }, JsonOptions));
        await gateway.SendFromHandsetOkAsync(Mobile, new { type = "sms", to = new[] { Peer }, text = "Reply (mo) " + new string('x', 170), media = Array.Empty<object>() });
        await gateway.SendFromHandsetOkAsync(Mobile, new
        {
            type = "mms", to = new[] { Peer, "+13125550000" }, text = "mo pic",
            media = new[] { new { contentType = "image/png", fileName = "mo.png", content = Convert.ToBase64String(picture) } },
        });

        var calls = await EventuallyAsync(() => Task.FromResult(servers.CallsTo("copies")), c => c.Count >= 4, "4 copies", seconds: 30);
        await Task.Delay(1500);
        Assert.Equal(4, servers.CallsTo("copies").Count); // one each, never again

        Assert.All(calls, call =>
        {
            Assert.Equal("POST", call.Method);
            Assert.Equal($"Bearer {RecordingKey}", call.Header("Authorization"));
            Assert.Equal("application/json; charset=utf-8", call.Header("Content-Type"));
            Assert.StartsWith("{\n  \"smsEvent\" : [ {\n    \"direction\" : \"", call.Text); // Jackson's layout, as the seed's recipes grep it
            var e = Event(call);
            Assert.Equal(["direction", "startTime", "subscriberParty", "otherParty", "message", "messageType", "messageContentType"],
                e.EnumerateObject().Select(p => p.Name));
            Assert.Matches(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$", e.GetProperty("startTime").GetString());
            Assert.Equal("""{"domain":"acme.example","mobile":"19465559040","did":"19465559041","subrId":"s1"}""",
                JsonSerializer.Serialize(e.GetProperty("subscriberParty")));
        });
        var byKind = calls.Select(Event).ToDictionary(e => (e.GetProperty("direction").GetString(), e.GetProperty("messageType").GetString()));

        var mt = byKind[("mt", "sms")];
        Assert.Equal("Hello, \"copy\" 😀", mt.GetProperty("message").GetString());
        Assert.Equal("12145555273", mt.GetProperty("otherParty").GetProperty("number").GetString());
        Assert.Equal("text/plain; charset=UTF-8", mt.GetProperty("messageContentType").GetString());
        var mo = byKind[("mo", "sms")];
        Assert.Equal("Reply (mo) " + new string('x', 170), mo.GetProperty("message").GetString()); // reassembled from 2 segments
        Assert.Equal("12145555273", mo.GetProperty("otherParty").GetProperty("number").GetString());
        foreach (var direction in new[] { "mt", "mo" })
        {
            var mms = byKind[(direction, "mms")];
            Assert.Matches("^multipart/related; boundary=\"---mime-", mms.GetProperty("messageContentType").GetString());
            var mm7 = mms.GetProperty("message").GetString()!;
            Assert.Contains(direction == "mo" ? "DeliverReq" : "SubmitReq", mm7);
            Assert.Contains("<Number>+13125550000</Number>", mm7); // every recipient of the group MMS
            Assert.Contains(Convert.ToBase64String(picture), mm7);
            Assert.Contains("application/smil", mm7);
            Assert.Equal("12145555273", mms.GetProperty("otherParty").GetProperty("number").GetString());
        }
        Assert.NotNull(mtSms);
        Assert.NotNull(mtMms);

        // Nothing waits any more, and the server's last cycle succeeded.
        var backlog = await EventuallyAsync(() => gateway.Admin.GetOk("/admin/recording-servers/rs1/backlog"),
            b => b.GetProperty("lastSuccessAt").ValueKind == JsonValueKind.String, "a successful cycle recorded");
        Assert.Equal(0, backlog.GetProperty("count").GetInt64());
        Assert.True(backlog.GetProperty("provisioned").GetBoolean());
        Assert.Equal(JsonValueKind.Null, backlog.GetProperty("oldestAgeSeconds").ValueKind);
    }

    [Fact]
    public async Task Copies_should_wait_while_the_server_is_down_across_a_restart_then_arrive_once_in_batches_of_at_most_the_batch()
    {
        await using var servers = await RecordingPartner.StartAsync();
        var gateway = await StartAsync(servers.Url("hook", "200"), servers.Url("down", "503"), batch: 4);
        try
        {
            var partner = gateway.PartnerClient(ClientSecret);
            var ids = new List<string>();
            for (var i = 0; i < 10; i++)
                ids.Add(await AcceptAsync(partner, Sms(Peer, Did, $"copy {i}")));
            await EventuallyAsync(() => gateway.InboxAsync(Mobile), inbox => inbox.Count == 10, "10 messages on the handset");

            // Down for several cycles: each cycle stops at its first copy, nothing is lost.
            await EventuallyAsync(() => Task.FromResult(servers.CallsTo("down")), c => c.Count >= 3, "3 failed cycles", seconds: 20);
            var backlog = await EventuallyAsync(() => gateway.Admin.GetOk("/admin/recording-servers/rs1/backlog"),
                b => b.GetProperty("count").GetInt64() == 10 && b.GetProperty("lastFailure").ValueKind == JsonValueKind.Object, "the backlog");
            Assert.Contains("503", backlog.GetProperty("lastFailure").GetProperty("reason").GetString());
            Assert.True(backlog.GetProperty("oldestAgeSeconds").GetDouble() > 0);
            var all = await gateway.Admin.GetOk("/admin/message-copy/backlog");
            Assert.Equal(10, Assert.Single(all.GetProperty("recordingServers").EnumerateArray()).GetProperty("count").GetInt64());
            // The backlog gauge is process-wide, and other specs' hosts in this process publish theirs
            // too: wait for a scrape that shows this host's reading.
            await EventuallyAsync(() => gateway.App.CreateClient().GetStringAsync("/metrics"),
                metrics => metrics.Contains("gateway_copies_backlog{recording_server=\"rs1\"} 10"), "the backlog gauge at 10", seconds: 30);

            gateway = await gateway.RestartAsync();
            await PutRecordingServerAsync(gateway, servers.Url("up", "200"));
            var up = await EventuallyAsync(() => Task.FromResult(servers.CallsTo("up")), c => c.Count >= 10, "10 copies", seconds: 30);
            await Task.Delay(1500);
            up = servers.CallsTo("up");

            Assert.Equal(10, up.Count);
            Assert.Equal([.. Enumerable.Range(0, 10).Select(i => $"copy {i}")], up.Select(c => Event(c).GetProperty("message").GetString()));
            // At most 4 per cycle, and cycles at least an interval apart: any 5 consecutive copies span a cycle boundary.
            for (var i = 0; i + 4 < up.Count; i++)
                Assert.True(up[i + 4].At - up[i].At >= TimeSpan.FromMilliseconds(900), $"copies {i} and {i + 4} are {up[i + 4].At - up[i].At} apart");
            await EventuallyAsync(() => gateway.Admin.GetOk("/admin/recording-servers/rs1/backlog"),
                b => b.GetProperty("count").GetInt64() == 0, "an empty backlog");
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Turning_message_copy_off_should_stop_new_copies_while_those_taken_are_still_offloaded()
    {
        await using var servers = await RecordingPartner.StartAsync();
        await using var gateway = await StartAsync(servers.Url("hook", "200"), servers.Url("down", "503"));
        var partner = gateway.PartnerClient(ClientSecret);
        await AcceptAsync(partner, Sms(Peer, Did, "copied 1"));
        await AcceptAsync(partner, Sms(Peer, Did, "copied 2"));
        await EventuallyAsync(() => gateway.Admin.GetOk("/admin/recording-servers/rs1/backlog"),
            b => b.GetProperty("count").GetInt64() == 2, "2 copies waiting");

        // Off, but still naming rs1 (a disabled group may keep its server); then the server comes back.
        await gateway.Admin.PutOk("/admin/groups/g1", """{"messageCopy": {"enabled": false, "recordingServerId": "rs1"}}""");
        await AcceptAsync(partner, Sms(Peer, Did, "not copied"));
        await EventuallyAsync(() => gateway.InboxAsync(Mobile), inbox => inbox.Count == 3, "3 messages on the handset");
        await PutRecordingServerAsync(gateway, servers.Url("up", "200"));

        await EventuallyAsync(() => Task.FromResult(servers.CallsTo("up")), c => c.Count >= 2, "2 copies", seconds: 20);
        await Task.Delay(2500); // two more cycles: nothing else comes
        Assert.Equal(["copied 1", "copied 2"], servers.CallsTo("up").Select(c => Event(c).GetProperty("message").GetString()));
    }

    [Fact]
    public async Task The_backlog_api_should_need_the_admin_token_and_know_only_recording_servers()
    {
        await using var servers = await RecordingPartner.StartAsync();
        await using var gateway = await StartAsync(servers.Url("hook", "200"), servers.Url("copies", "200"));

        var anonymous = gateway.App.CreateClient();
        await (await anonymous.GetAsync("/admin/recording-servers/rs1/backlog")).AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
        await (await anonymous.GetAsync("/admin/message-copy/backlog")).AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
        await (await gateway.Admin.GetAsync("/admin/recording-servers/nope/backlog")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);

        var fresh = await gateway.Admin.GetOk("/admin/recording-servers/rs1/backlog");
        Assert.Equal(["recordingServerId", "provisioned", "count", "oldestCapturedAt", "oldestAgeSeconds", "lastCycleAt", "lastSuccessAt", "lastFailure"],
            fresh.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, fresh.GetProperty("count").GetInt64());
    }
}
