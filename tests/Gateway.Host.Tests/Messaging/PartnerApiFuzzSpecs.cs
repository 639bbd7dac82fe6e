using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using static Gateway.Host.Tests.Messaging.MessagingGateway;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// Fuzzing <c>POST /v1/messages</c> (CONTRACT §3: no input may produce a 500): a few thousand
/// generated malformed bodies and headers, from a fixed seed so that a failure repeats. Every answer
/// is a 4xx with the error body (or a 202 when a mutation happens to be valid), nothing refused is
/// stored, and the node still accepts a good message at the end.
/// </summary>
public sealed class PartnerApiFuzzSpecs
{
    private const int Cases = 3000;
    private const string Secret = "fuzz-secret";
    private const string Mobile = "+19465559040";
    private const string Did = "+19465559041";

    private static readonly string Valid = JsonSerializer.Serialize(new
    {
        type = "mms",
        from = "+12145555273",
        to = new[] { Did, "+13125550000" },
        owner = Did,
        text = "Hello 😀",
        media = new[] { new { contentType = "image/png", fileName = "a.png", content = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]) } },
    }, JsonOptions);

    [Fact]
    public async Task Generated_malformed_requests_should_always_get_a_4xx_with_the_error_body_and_never_a_5xx()
    {
        await using var gateway = await StartAsync();
        await gateway.ProvisionPartnerAsync("p1", Secret);
        await gateway.ProvisionSubscriberAsync("s1", Mobile, Did, "p1");
        await gateway.SetReachableAsync(Mobile, false); // accepted messages stay queued, to be counted
        using var client = gateway.App.CreateClient();
        var random = new Random(20261123);
        var accepted = 0;
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < Cases; i++)
        {
            using var request = Generate(random, i);
            var response = await client.SendAsync(request);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status < 500, $"case {i}: {status} {text}");
            if (status == 202)
            {
                accepted++;
                continue;
            }
            Assert.InRange(status, 400, 499);
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            Assert.Matches("^[a-z][a-z0-9_]*$", error.GetProperty("code").GetString()!);
            Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        }

        // The generator reaches every kind of refusal it aims at (and some valid messages).
        Assert.All(new[] { 202, 400, 401, 413, 415 }, status =>
            Assert.True(statuses.ContainsKey(status), $"no {status} among {string.Join(", ", statuses)}"));
        Assert.Equal(accepted, (await gateway.QueueAsync("s1", "mt")).Count);
        var health = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        await AcceptAsync(gateway.PartnerClient(Secret), Valid);
    }

    private static HttpRequestMessage Generate(Random random, int index)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages");
        byte[] body = Encoding.UTF8.GetBytes(Valid);
        var contentType = "application/json";
        var authorization = "Bearer " + Secret;
        // Mostly body mutations with good headers, some header mutations with a good body.
        switch (random.Next(12))
        {
            case 0: body = Truncate(random, body); break;
            case 1: body = FlipBytes(random, body); break;
            case 2: body = Encoding.UTF8.GetBytes(ReplaceValue(random, Valid)); break;
            case 3: body = Encoding.UTF8.GetBytes(Nesting(random)); break;
            case 4: body = Encoding.UTF8.GetBytes(GiantString(random)); break;
            case 5: body = Encoding.UTF8.GetBytes(DuplicateKey(random)); break;
            case 6: body = RandomBytes(random); break;
            case 7: contentType = Pick(random, "text/plain", "application/xml", "application/json; charset=latin1", "json", "", "application/*", "multipart/form-data; boundary=x"); break;
            case 8: authorization = Pick(random, "Bearer", "Bearer ", "Basic Zm9vOmJhcg==", "bearer wrong-secret", Secret, "Bearer " + new string('x', 5000), "Bearer  " + Secret + " x"); break;
            case 9: request.Headers.TryAddWithoutValidation("Idempotency-Key", Pick(random, "", new string('k', 300), "ké", "a\tb", "ok-" + index)); break;
            case 10: body = Encoding.UTF8.GetBytes(ReplaceValue(random, Valid).Replace("\"+12145555273\"", "12145555273")); break;
            default: body = Encoding.UTF8.GetBytes(RandomJson(random, 0)); break;
        }
        request.Content = new ByteArrayContent(body);
        if (contentType.Length > 0)
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        return request;
    }

    private static byte[] Truncate(Random random, byte[] body) => body[..random.Next(body.Length)];

    private static byte[] FlipBytes(Random random, byte[] body)
    {
        var copy = body.ToArray();
        for (var i = random.Next(1, 4); i > 0; i--)
            copy[random.Next(copy.Length)] = Pick(random, (byte)0xC3, (byte)0xFF, (byte)0x80, (byte)0x00, (byte)'"', (byte)'\\', (byte)'{', (byte)random.Next(256));
        return copy;
    }

    private static readonly string[] Fields = ["type", "from", "to", "owner", "text", "media"];

    private static readonly string[] OddValues =
    [
        "null", "true", "0", "-1", "1e309", "123456789012345678901234567890", "[]", "{}", "[null]", "[1,2]", "\"\"",
        "\"\\ud800\"", "\"\\u0000\"", "\"+\"", "\"+1234567890123456\"", "\"sms\"", "\"MMS\"", "[\"+19465559041\",\"+19465559041\"]",
        "[{\"contentType\":\"image/png\",\"content\":\"!!!\"}]", "[{\"contentType\":\"x/y\",\"content\":\"AAAA\"}]",
        "[{\"contentType\":\"image/png\",\"content\":\"\"}]", "[{\"content\":\"AAAA\"}]", "\"" + new string('a', 2000) + "\"",
    ];

    private static string ReplaceValue(Random random, string json)
    {
        // The odd value goes in as raw text: some are not valid Unicode, which JsonNode would refuse to write.
        const string placeholder = "__odd_value__";
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var field = Pick(random, Fields);
        if (random.Next(5) == 0)
            node.Remove(field);
        else
            node[field] = placeholder;
        if (random.Next(6) == 0)
            node["extra" + random.Next(3)] = 1;
        return node.ToJsonString(JsonOptions).Replace("\"" + placeholder + "\"", Pick(random, OddValues));
    }

    private static string Nesting(Random random)
    {
        var depth = Pick(random, 65, 200, 5000);
        return Valid[..^1] + ",\"text\":" + new string('[', depth) + new string(']', depth) + "}";
    }

    private static string GiantString(Random random) =>
        Valid[..^1] + ",\"x\":\"" + new string('a', Pick(random, 100_000, 2_100_000)) + "\"}";

    private static string DuplicateKey(Random random)
    {
        var field = Pick(random, Fields);
        return Valid[..^1] + $",\"{(random.Next(2) == 0 ? field : field.ToUpperInvariant())}\":null}}";
    }

    private static byte[] RandomBytes(Random random)
    {
        var bytes = new byte[random.Next(0, 300)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static string RandomJson(Random random, int depth) => random.Next(depth > 3 ? 4 : 7) switch
    {
        0 => "null",
        1 => random.Next(2) == 0 ? "true" : "false",
        2 => random.Next(-1000, 1000).ToString(),
        3 => JsonSerializer.Serialize(new string((char)random.Next(32, 0xD7FF), random.Next(0, 20))),
        4 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => RandomJson(random, depth + 1))) + "]",
        _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(5)).Select(_ =>
            JsonSerializer.Serialize(Pick(random, Fields.Append("x").ToArray())) + ":" + RandomJson(random, depth + 1))) + "}",
    };

    private static T Pick<T>(Random random, params T[] items) => items[random.Next(items.Length)];
}
