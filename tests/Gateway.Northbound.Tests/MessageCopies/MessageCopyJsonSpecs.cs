using System.Text;
using System.Text.Json;
using Gateway.Domain.Messaging;
using Gateway.Northbound.MessageCopies;
using static Gateway.Northbound.Tests.MessageCopies.CopyPayloadSamples;

namespace Gateway.Northbound.Tests.MessageCopies;

public sealed class MessageCopyJsonSpecs
{
    /// <summary>The seed's SMS origination example as Jackson's DefaultPrettyPrinter lays it out.</summary>
    private const string SeedOriginationJackson = """
        {
          "smsEvent" : [ {
            "direction" : "mo",
            "startTime" : "2024-09-16T19:30:39.090+0000",
            "subscriberParty" : {
              "domain" : "software.tango-networks",
              "mobile" : "19465559040",
              "did" : "19465559040",
              "subrId" : "s021157"
            },
            "otherParty" : {
              "number" : "12145555273"
            },
            "message" : "This is SMS one 😀.",
            "messageType" : "sms",
            "messageContentType" : "text/plain; charset=UTF-8"
          } ]
        }
        """;

    /// <summary>The seed's example exactly as the seed prints it, irregular indentation included.</summary>
    private const string SeedOriginationAsPrinted = """
        {
           "smsEvent" : [ {
             "direction" : "mo",
             "startTime" : "2024-09-16T19:30:39.090+0000",
             "subscriberParty" : {
             "domain" : "software.tango-networks",
             "mobile" : "19465559040",
             "did" : "19465559040",
             "subrId" : "s021157"
             },
             "otherParty" : {
               "number" : "12145555273"
             },
             "message" : "This is SMS one 😀.",
             "messageType" : "sms",
             "messageContentType" : "text/plain; charset=UTF-8"
           } ]
        }
        """;

    private static readonly MessageCopy SeedOrigination = Sms(MessageDirection.Mo, "This is SMS one 😀.");

    [Fact]
    public void Body_should_be_the_seed_example_byte_for_byte_in_the_Jackson_layout()
    {
        var expected = Encoding.UTF8.GetBytes(SeedOriginationJackson.ReplaceLineEndings("\n"));

        var body = SmsEventJson.Render(SeedOrigination);

        Assert.Equal(expected, body);
        Assert.Equal([0xF0, 0x9F, 0x98, 0x80], body.AsSpan(body.AsSpan().IndexOf("😀"u8), 4).ToArray());
    }

    [Fact]
    public void Body_should_have_no_byte_order_mark_no_carriage_return_and_no_final_newline()
    {
        var body = SmsEventJson.Render(SeedOrigination);

        Assert.Equal((byte)'{', body[0]);
        Assert.Equal((byte)'}', body[^1]);
        Assert.DoesNotContain((byte)'\r', body);
    }

    [Fact]
    public void Body_should_hold_the_same_values_as_the_seed_example_in_the_same_order()
    {
        using var seed = JsonDocument.Parse(SeedOriginationAsPrinted);
        using var body = JsonDocument.Parse(SmsEventJson.Render(SeedOrigination));

        Assert.True(JsonElement.DeepEquals(seed.RootElement, body.RootElement));
        Assert.Equal(
            ["direction", "startTime", "subscriberParty", "otherParty", "message", "messageType", "messageContentType"],
            Event(body).EnumerateObject().Select(p => p.Name));
        Assert.Equal(["domain", "mobile", "did", "subrId"], Event(body).GetProperty("subscriberParty").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void Termination_should_name_the_sender_as_the_other_party()
    {
        var copy = Sms(MessageDirection.Mt, "This is a a \"SMS termination\" message.", capturedAt: new DateTimeOffset(2024, 9, 16, 20, 42, 31, 55, TimeSpan.Zero));

        var json = Text(copy);

        Assert.Contains("\n    \"direction\" : \"mt\",\n", json);
        Assert.Contains("\n    \"startTime\" : \"2024-09-16T20:42:31.055+0000\",\n", json);
        Assert.Contains("\n      \"mobile\" : \"19465559040\",\n", json);
        Assert.Contains("\n    \"otherParty\" : {\n      \"number\" : \"12145555273\"\n    },\n", json);
        Assert.Contains("\n    \"message\" : \"This is a a \\\"SMS termination\\\" message.\",\n", json);
    }

    /// <summary>
    /// Text and how its JSON string must read. A table in a fact rather than theory rows: test names
    /// holding NUL or a lone surrogate would break the TRX results file.
    /// </summary>
    private static readonly (string Text, string Json)[] Escapes =
    [
        ("say \"hi\"", "say \\\"hi\\\""),
        ("C:\\temp\\", "C:\\\\temp\\\\"),
        ("a\bb\tc\nd\fe\rf", "a\\bb\\tc\\nd\\fe\\rf"),
        ("\u0000\u0001\u000b\u001f", "\\u0000\\u0001\\u000B\\u001F"),
        ("</script><b>&amp;'/'", "</script><b>&amp;'/'"),
        ("\u007f é ü \u2028 中文", "\u007f é ü \u2028 中文"),
        ("😀 𝄞", "😀 𝄞"),
        ("lone \ud83d high", "lone \\uD83D high"),
        ("lone \ude00 low", "lone \\uDE00 low"),
        ("reversed \ude00\ud83d pair", "reversed \\uDE00\\uD83D pair"),
    ];

    [Fact]
    public void Message_should_be_escaped_as_Jackson_escapes_by_default()
    {
        foreach (var (text, expected) in Escapes)
            Assert.Contains("\n    \"message\" : \"" + expected + "\",\n", Text(Sms(MessageDirection.Mo, text)));
    }

    [Fact]
    public void Message_should_read_back_as_the_text()
    {
        foreach (var (text, _) in Escapes.Where(e => !e.Text.EnumerateRunes().Contains(Rune.ReplacementChar)))
        {
            using var body = JsonDocument.Parse(SmsEventJson.Render(Sms(MessageDirection.Mo, text)));

            Assert.Equal(text, Event(body).GetProperty("message").GetString());
        }
    }

    [Fact]
    public void Sms_without_text_should_have_an_empty_message()
    {
        var copy = Copy(MessageDirection.Mo, SeedTime, new MessageContent(MessageType.Sms, Mobile, [Other], Mobile, null, []));

        Assert.Contains("\n    \"message\" : \"\",\n", Text(copy));
    }

    [Theory]
    [InlineData("+12145555273", "12145555273")]
    [InlineData("+447700900123", "447700900123")]
    [InlineData("12345", "12345")]
    [InlineData("Acme Bank", "Acme Bank")]
    [InlineData("Acme+Bank", "Acme+Bank")]
    public void Other_party_should_lose_only_a_leading_plus(string other, string expected)
    {
        using var mo = JsonDocument.Parse(SmsEventJson.Render(Sms(MessageDirection.Mo, "hi", other)));
        using var mt = JsonDocument.Parse(SmsEventJson.Render(Sms(MessageDirection.Mt, "hi", other)));

        Assert.Equal(expected, Event(mo).GetProperty("otherParty").GetProperty("number").GetString());
        Assert.Equal(expected, Event(mt).GetProperty("otherParty").GetProperty("number").GetString());
    }

    [Fact]
    public void Subscriber_numbers_should_have_no_plus()
    {
        var copy = Sms(MessageDirection.Mo, "hi") with { Subscriber = new CopySubscriber("acme.example", "+447700900123", "+442079460000", "s1") };

        using var body = JsonDocument.Parse(SmsEventJson.Render(copy));
        var subscriber = Event(body).GetProperty("subscriberParty");

        Assert.Equal("acme.example", subscriber.GetProperty("domain").GetString());
        Assert.Equal("447700900123", subscriber.GetProperty("mobile").GetString());
        Assert.Equal("442079460000", subscriber.GetProperty("did").GetString());
        Assert.Equal("s1", subscriber.GetProperty("subrId").GetString());
    }

    [Theory]
    [InlineData("2024-09-16T14:30:39.0909999-05:00", "2024-09-16T19:30:39.090+0000")]
    [InlineData("2024-09-16T19:30:39Z", "2024-09-16T19:30:39.000+0000")]
    [InlineData("2025-01-01T01:00:00.5+02:00", "2024-12-31T23:00:00.500+0000")]
    [InlineData("2024-02-29T23:59:59.9999999-00:30", "2024-03-01T00:29:59.999+0000")]
    public void StartTime_should_be_UTC_with_milliseconds_cut_and_plus_0000(string capturedAt, string expected)
    {
        var copy = Sms(MessageDirection.Mo, "hi", capturedAt: DateTimeOffset.Parse(capturedAt, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Contains("\n    \"startTime\" : \"" + expected + "\",\n", Text(copy));
    }

    [Fact]
    public void Same_copy_should_render_the_same_bytes()
    {
        var copy = Sms(MessageDirection.Mt, "Same 😀");

        Assert.Equal(SmsEventJson.Render(copy), SmsEventJson.Render(copy));
    }

    internal static JsonElement Event(JsonDocument body) => Assert.Single(body.RootElement.GetProperty("smsEvent").EnumerateArray().ToArray());

    private static string Text(MessageCopy copy) => Encoding.UTF8.GetString(SmsEventJson.Render(copy));
}
