using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Gateway.Domain.Errors;
using Gateway.Host.Tests.Api;
using static Gateway.Host.Tests.Messaging.PartnerApiFixture;

namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// <c>POST /v1/messages</c> (CONTRACT §3, docs/errors.md "Partner API (message fields)") over HTTP:
/// the 202 answer, every refusal with its status and stable code, the order of the checks, and that a
/// refused request leaves nothing behind in the subscriber's queue.
/// </summary>
public sealed class PartnerApiSpecs(PartnerApiFixture fixture) : IClassFixture<PartnerApiFixture>
{
    private const int MaxBodySize = 2 * 1024 * 1024; // gateway.partner-api.max-body-size
    private const int MaxMediaSize = 1024 * 1024;    // gateway.partner-api.max-media-size

    private static readonly string Png = Convert.ToBase64String([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]);

    private MessagingGateway Gateway => fixture.Gateway;

    private HttpClient Partner() => Gateway.PartnerClient(Secret);

    private static StringContent Json(string json) => AdminRequests.Json(json);

    private static string ValidSms(string owner = RefusedDid, string text = "Hello") => MessagingGateway.Sms(Peer, owner, text);

    /// <summary>After a refusal: nothing queued for the subscribers, nothing on their handsets.</summary>
    private async Task AssertNothingQueued()
    {
        await Gateway.AssertQueueEmptyAsync(RefusedId);
        await Gateway.AssertQueueEmptyAsync(OtherId);
        Assert.Empty(await Gateway.InboxAsync(RefusedMobile));
        Assert.Empty(await Gateway.InboxAsync(OtherMobile));
    }

    // ---- accepted

    [Fact]
    public async Task A_valid_sms_should_be_answered_202_with_its_message_id_and_status_accepted()
    {
        var response = await Partner().PostAsync("/v1/messages", Json(ValidSms(AcceptingDid)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["id", "status"], body.EnumerateObject().Select(p => p.Name));
        Assert.Matches("^msg_[0-9a-f]{32}$", body.GetProperty("id").GetString());
        Assert.Equal("accepted", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Two_accepted_messages_should_get_different_ids()
    {
        var first = await MessagingGateway.AcceptAsync(Partner(), ValidSms(AcceptingDid, "one"));
        var second = await MessagingGateway.AcceptAsync(Partner(), ValidSms(AcceptingDid, "two"));

        Assert.NotEqual(first, second);
    }

    [Theory]
    [InlineData("bEaReR")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task The_bearer_scheme_name_should_be_accepted_in_any_case(string scheme)
    {
        var client = Gateway.App.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {Secret}");

        await MessagingGateway.AcceptAsync(client, ValidSms(AcceptingDid));
    }

    [Fact]
    public async Task Property_names_should_be_matched_case_insensitively()
    {
        var json = $$"""{"Type": "sms", "From": "{{Peer}}", "To": ["{{AcceptingDid}}"], "Owner": "{{AcceptingDid}}", "TEXT": "Hi"}""";

        await MessagingGateway.AcceptAsync(Partner(), json);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("Application/JSON")]
    public async Task A_json_content_type_with_parameters_or_in_another_case_should_be_accepted(string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ValidSms(AcceptingDid)));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await Partner().PostAsync("/v1/messages", content);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("+12145555273")] // E.164
    [InlineData("12345")]        // short code, 5 digits
    [InlineData("123456")]       // short code, 6 digits
    [InlineData("A")]            // alphanumeric, 1 character
    [InlineData("Acme Bank 1")]  // alphanumeric, 11 characters with spaces
    public async Task Every_documented_form_of_from_should_be_accepted(string from)
    {
        await MessagingGateway.AcceptAsync(Partner(), MessagingGateway.Sms(from, AcceptingDid, "Hi"));
    }

    [Fact]
    public async Task A_text_of_1600_code_points_should_be_accepted_and_one_of_1601_refused()
    {
        await MessagingGateway.AcceptAsync(Partner(), ValidSms(AcceptingDid, new string('a', 1600)));

        var response = await Partner().PostAsync("/v1/messages", Json(ValidSms(text: new string('a', 1601))));

        await response.AssertError(HttpStatusCode.BadRequest, ErrorCodes.InvalidText);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task The_text_limit_should_count_code_points_so_1600_emoji_are_accepted_and_1601_refused()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 1600)); // 3200 UTF-16 units
        await MessagingGateway.AcceptAsync(Partner(), ValidSms(AcceptingDid, emoji));

        var response = await Partner().PostAsync("/v1/messages", Json(ValidSms(text: emoji + "😀")));

        await response.AssertError(HttpStatusCode.BadRequest, ErrorCodes.InvalidText);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task A_media_content_type_of_the_supported_list_should_be_accepted_in_any_case_and_with_parameters()
    {
        var json = $$"""
            {"type": "mms", "from": "{{Peer}}", "to": ["{{AcceptingDid}}"], "owner": "{{AcceptingDid}}",
             "media": [{"contentType": "IMAGE/PNG; name=a.png", "fileName": "a.png", "content": "{{Png}}"},
                       {"contentType": "text/plain; charset=utf-8", "content": "aGVs\r\nbG8="}]}
            """;

        await MessagingGateway.AcceptAsync(Partner(), json);
    }

    // ---- 401

    public static TheoryData<string?> RefusedAuthorizations => new()
    {
        null,                             // no header
        "Bearer wrong-secret",            // not a partner's secret
        $"Basic {Secret}",                // another scheme
        "Bearer",                         // no token
        $"Bearer {Secret} extra",         // two tokens
        $"Bearer{Secret}",                // no space
        Secret,                           // no scheme
        $"Bearer {GatewayApp.AdminToken}", // the admin token is not a partner secret
    };

    [Theory]
    [MemberData(nameof(RefusedAuthorizations))]
    public async Task A_missing_malformed_or_wrong_bearer_token_should_be_answered_401_with_a_bearer_challenge(string? authorization)
    {
        var client = Gateway.App.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/messages") { Content = Json(ValidSms()) };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await client.SendAsync(request);

        await response.AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        await AssertNothingQueued();
    }

    // ---- 415 (request content type)

    [Theory]
    [InlineData(null)]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=x")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData("json")]
    public async Task A_request_without_a_json_content_type_should_be_answered_415(string? contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(ValidSms()));
        if (contentType is not null)
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await Partner().PostAsync("/v1/messages", content);

        await response.AssertError(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        await AssertNothingQueued();
    }

    // ---- 413

    [Fact]
    public async Task A_body_over_max_body_size_should_be_answered_413()
    {
        var response = await Partner().PostAsync("/v1/messages", Json(PaddedSms(MaxBodySize + 1)));

        await response.AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task A_body_over_max_body_size_sent_without_a_content_length_should_be_answered_413()
    {
        var response = await Partner().PostAsync("/v1/messages", new UnsizedJsonContent(PaddedSms(MaxBodySize + 1)));

        await response.AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task A_body_of_exactly_max_body_size_carrying_exactly_max_media_size_should_be_accepted()
    {
        // base64 ignores whitespace, so the content is padded with spaces to make the body exactly 2 MiB
        var json = MmsWithContent(AcceptingDid, Convert.ToBase64String(new byte[MaxMediaSize]) + "{{PAD}}");
        json = json.Replace("{{PAD}}", new string(' ', MaxBodySize - (Encoding.UTF8.GetByteCount(json) - "{{PAD}}".Length)));
        Assert.Equal(MaxBodySize, Encoding.UTF8.GetByteCount(json));

        await MessagingGateway.AcceptAsync(Partner(), json);
    }

    [Fact]
    public async Task Media_one_byte_over_max_media_size_should_be_answered_413_media_too_large()
    {
        var response = await Partner().PostAsync("/v1/messages",
            Json(MmsWithContent(RefusedDid, Convert.ToBase64String(new byte[MaxMediaSize + 1]))));

        var message = await response.AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.MediaTooLarge);
        Assert.Contains("media[0].content", message);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task Media_items_together_over_max_media_size_should_be_answered_413_media_too_large()
    {
        var half = Convert.ToBase64String(new byte[MaxMediaSize / 2 + 1]);
        var json = $$"""
            {"type": "mms", "from": "{{Peer}}", "to": ["{{RefusedDid}}"], "owner": "{{RefusedDid}}",
             "media": [{"contentType": "image/png", "content": "{{half}}"}, {"contentType": "image/png", "content": "{{half}}"}]}
            """;

        var response = await Partner().PostAsync("/v1/messages", Json(json));

        var message = await response.AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.MediaTooLarge);
        Assert.Contains("media[1].content", message);
        await AssertNothingQueued();
    }

    // ---- 400/415 field rules

    private const string From = $"\"from\": \"{Peer}\"";
    private const string Owner = $"\"owner\": \"{RefusedDid}\"";
    private const string ToOwner = $"\"to\": [\"{RefusedDid}\"]";
    private const string MmsHead = $"\"type\": \"mms\", {From}, {ToOwner}, {Owner}";

    private static string Item(string contentType, string content) =>
        $$"""{"contentType": "{{contentType}}", "fileName": "a.bin", "content": "{{content}}"}""";

    public static TheoryData<string, string, HttpStatusCode, string> RefusedBodies => new()
    {
        // JSON and shape
        { "not JSON", "{\"type\": ", HttpStatusCode.BadRequest, ErrorCodes.MalformedJson },
        { "an array", "[]", HttpStatusCode.BadRequest, ErrorCodes.BodyNotObject },
        { "an unknown property", $$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": "x", "subject": "s"}""", HttpStatusCode.BadRequest, ErrorCodes.UnknownField },
        { "from twice in two cases", $$"""{"type": "sms", {{From}}, "From": "{{Peer}}", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.DuplicateField },
        { "to as a string", $$"""{"type": "sms", {{From}}, "to": "{{RefusedDid}}", {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidFieldType },
        { "no type", $$"""{{{From}}, {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.MissingField },
        { "no from", $$"""{"type": "sms", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.MissingField },
        { "no owner", $$"""{"type": "sms", {{From}}, {{ToOwner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.MissingField },
        { "no to", $$"""{"type": "sms", {{From}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.MissingField },
        { "owner not E.164", $$"""{"type": "sms", {{From}}, {{ToOwner}}, "owner": "19465550101", "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidE164 },

        // invalid_message_type
        { "type fax", $$"""{"type": "fax", {{From}}, {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMessageType },
        { "type empty", $$"""{"type": "", {{From}}, {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMessageType },

        // invalid_text
        { "an sms without text", $$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidText },
        { "an sms with a null text", $$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": null}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidText },
        { "an sms with an empty text", $$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": ""}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidText },
        { "an mms with an empty text", $$"""{{{MmsHead}}, "text": "", "media": [{{Item("image/png", Png)}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidText },

        // invalid_recipients
        { "to empty", $$"""{"type": "sms", {{From}}, "to": [], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to without the owner", $$"""{"type": "sms", {{From}}, "to": ["{{Peer}}"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "an sms to two", $$"""{"type": "sms", {{From}}, "to": ["{{RefusedDid}}", "+12145555274"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to naming a number twice", $$"""{"type": "mms", {{From}}, "to": ["{{RefusedDid}}", "+12145555274", "{{RefusedDid}}"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to without a plus", $$"""{"type": "mms", {{From}}, "to": ["{{RefusedDid}}", "12145555274"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to with a short code", $$"""{"type": "mms", {{From}}, "to": ["{{RefusedDid}}", "12345"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to with a leading zero", $$"""{"type": "mms", {{From}}, "to": ["{{RefusedDid}}", "+02145555274"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },
        { "to with 16 digits", $$"""{"type": "mms", {{From}}, "to": ["{{RefusedDid}}", "+1214555527412345"], {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidRecipients },

        // invalid_media
        { "an sms with media", $$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": "x", "media": [{{Item("image/png", Png)}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMedia },
        { "an mms with neither text nor media", $$"""{{{MmsHead}}}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMedia },
        { "an mms with no text and empty media", $$"""{{{MmsHead}}, "media": []}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMedia },
        { "a media item without contentType", $$"""{{{MmsHead}}, "media": [{"fileName": "a.png", "content": "{{Png}}"}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMedia },
        { "a media item without content", $$"""{{{MmsHead}}, "media": [{"contentType": "image/png", "fileName": "a.png"}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidMedia },

        // invalid_address (from)
        { "from with punctuation", $$"""{"type": "sms", "from": "Acme!", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from empty", $$"""{"type": "sms", "from": "", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from E.164 with a leading zero", $$"""{"type": "sms", "from": "+0123456789", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from E.164 with 7 digits", $$"""{"type": "sms", "from": "+1234567", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from of 4 digits", $$"""{"type": "sms", "from": "1234", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from of 7 digits", $$"""{"type": "sms", "from": "1234567", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from alphanumeric of 12", $$"""{"type": "sms", "from": "ABCDEFGHIJKL", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from alphanumeric starting with a digit", $$"""{"type": "sms", "from": "1abc", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },
        { "from alphanumeric not ASCII", $$"""{"type": "sms", "from": "Café", {{ToOwner}}, {{Owner}}, "text": "x"}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidAddress },

        // unsupported_content_type (415)
        { "a media type not in the seed's list", $$"""{{{MmsHead}}, "media": [{{Item("image/heic", Png)}}]}""", HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedContentType },
        { "a media type that does not parse", $$"""{{{MmsHead}}, "media": [{{Item("png", Png)}}]}""", HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedContentType },
        { "a media type with a line break", $$"""{{{MmsHead}}, "media": [{{Item("image/png\\r\\nX-Injected: 1", Png)}}]}""", HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedContentType },
        { "a media type over 256 characters", $$"""{{{MmsHead}}, "media": [{{Item("image/png; name=" + new string('a', 250), Png)}}]}""", HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedContentType },

        // media content: empty_media, invalid_base64
        { "empty media content", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.EmptyMedia },
        { "media content of whitespace", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "  \\r\\n ")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.EmptyMedia },
        { "base64 of a length not a multiple of 4", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "abc")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "base64 with a foreign character", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "ab!d")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "base64url", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "ab-_")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "base64 with characters after the padding", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "ab=c")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "base64 with three padding characters", $$"""{{{MmsHead}}, "media": [{{Item("image/png", "a===")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "the second item's base64 invalid", $$"""{{{MmsHead}}, "media": [{{Item("image/png", Png)}}, {{Item("image/png", "abc")}}]}""", HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64 },
        { "contentType checked before content", $$"""{{{MmsHead}}, "media": [{{Item("image/heic", "abc")}}]}""", HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedContentType },
    };

    [Theory]
    [MemberData(nameof(RefusedBodies))]
    public async Task A_body_breaking_a_field_rule_should_be_refused_with_its_status_and_code_and_nothing_queued(
        string rule, string json, HttpStatusCode status, string code)
    {
        var response = await Partner().PostAsync("/v1/messages", Json(json));

        var message = await response.AssertError(status, code);
        Assert.False(string.IsNullOrWhiteSpace(message), rule);
        await AssertNothingQueued();
    }

    /// <summary>JSON that parses but whose strings are not valid Unicode (CONTRACT §3: no input may produce a 500).</summary>
    public static TheoryData<string, byte[]> UndecodableStrings => new()
    {
        { "a lone high surrogate in text", Encoding.UTF8.GetBytes($$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": "\ud800"}""") },
        { "a lone low surrogate in from", Encoding.UTF8.GetBytes($$"""{"type": "sms", "from": "\udc00", {{ToOwner}}, {{Owner}}, "text": "x"}""") },
        { "a lone surrogate in a property name", Encoding.UTF8.GetBytes($$"""{"type": "sms", "\ud800": 1, {{From}}, {{ToOwner}}, {{Owner}}, "text": "x"}""") },
        { "a lone surrogate in a media fileName", Encoding.UTF8.GetBytes($$"""{{{MmsHead}}, "media": [{"contentType": "image/png", "fileName": "\ud800", "content": "AAAA"}]}""") },
        { "invalid UTF-8 in text", [.. Encoding.UTF8.GetBytes($$"""{"type": "sms", {{From}}, {{ToOwner}}, {{Owner}}, "text": "a"""), 0xFF, 0xFE, .. "\"}"u8] },
    };

    [Theory]
    [MemberData(nameof(UndecodableStrings))]
    public async Task A_body_with_a_string_that_is_not_valid_unicode_should_be_refused_with_400_not_500(string rule, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var response = await Partner().PostAsync("/v1/messages", content);

        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{rule}: {(int)response.StatusCode}");
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("code").GetString()));
        await AssertNothingQueued();
    }

    [Fact]
    public async Task The_error_message_should_name_the_offending_field()
    {
        var json = $$"""{{{MmsHead}}, "media": [{{Item("image/png", Png)}}, {{Item("image/png", "abc")}}]}""";

        var message = await (await Partner().PostAsync("/v1/messages", Json(json))).AssertError(HttpStatusCode.BadRequest, ErrorCodes.InvalidBase64);

        Assert.Contains("media[1].content", message);
    }

    // ---- 404 owner_not_found

    [Fact]
    public async Task An_owner_that_is_no_subscriber_and_another_partners_subscriber_should_both_be_answered_404_alike()
    {
        var unknown = await Partner().PostAsync("/v1/messages", Json(ValidSms(UnknownDid)));
        var others = await Partner().PostAsync("/v1/messages", Json(ValidSms(OtherDid)));

        var unknownMessage = await unknown.AssertError(HttpStatusCode.NotFound, ErrorCodes.OwnerNotFound);
        var othersMessage = await others.AssertError(HttpStatusCode.NotFound, ErrorCodes.OwnerNotFound);
        Assert.Equal(unknownMessage.Replace(UnknownDid, "<did>"), othersMessage.Replace(OtherDid, "<did>"));
        Assert.Equal(unknown.Headers.Select(h => h.Key).Order(), others.Headers.Select(h => h.Key).Order());
        await AssertNothingQueued();
    }

    [Fact]
    public async Task An_owner_that_is_a_subscribers_mobile_rather_than_its_did_should_be_answered_404()
    {
        var response = await Partner().PostAsync("/v1/messages", Json(ValidSms(RefusedMobile)));

        await response.AssertError(HttpStatusCode.NotFound, ErrorCodes.OwnerNotFound);
        await AssertNothingQueued();
    }

    [Fact]
    public async Task The_other_partner_should_reach_its_own_subscriber_but_not_ours()
    {
        var other = Gateway.PartnerClient(OtherSecret);

        var response = await other.PostAsync("/v1/messages", Json(ValidSms(RefusedDid)));

        await response.AssertError(HttpStatusCode.NotFound, ErrorCodes.OwnerNotFound);
        await AssertNothingQueued();
    }

    // ---- the order of the checks

    [Fact]
    public async Task The_token_should_be_checked_before_the_size_and_content_type()
    {
        var client = Gateway.App.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-secret");
        var content = new StringContent(PaddedSms(MaxBodySize + 1), Encoding.UTF8, "text/plain");

        var response = await client.PostAsync("/v1/messages", content);

        await response.AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
    }

    [Fact]
    public async Task The_size_should_be_checked_before_the_content_type()
    {
        var content = new StringContent(PaddedSms(MaxBodySize + 1), Encoding.UTF8, "text/plain");

        var response = await Partner().PostAsync("/v1/messages", content);

        await response.AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task The_content_type_should_be_checked_before_the_json()
    {
        var response = await Partner().PostAsync("/v1/messages", new StringContent("{not json", Encoding.UTF8, "text/plain"));

        await response.AssertError(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
    }

    [Fact]
    public async Task The_fields_should_be_checked_before_the_owner()
    {
        var json = $$"""{"type": "sms", {{From}}, "to": ["{{UnknownDid}}"], "owner": "{{UnknownDid}}", "text": ""}""";

        var response = await Partner().PostAsync("/v1/messages", Json(json));

        await response.AssertError(HttpStatusCode.BadRequest, ErrorCodes.InvalidText);
    }

    // ---- helpers

    /// <summary>A valid SMS for the refused subscriber, its text padded so that the body is <paramref name="bytes"/> long.</summary>
    private static string PaddedSms(int bytes)
    {
        var json = ValidSms(text: "{{PAD}}");
        return json.Replace("{{PAD}}", new string('a', bytes - (json.Length - "{{PAD}}".Length)));
    }

    private static string MmsWithContent(string owner, string content) =>
        $$"""{"type": "mms", "from": "{{Peer}}", "to": ["{{owner}}"], "owner": "{{owner}}", "media": [{"contentType": "image/png", "fileName": "big.png", "content": "{{content}}"}]}""";

    /// <summary>A JSON body sent with <c>Transfer-Encoding: chunked</c> (no <c>Content-Length</c>).</summary>
    private sealed class UnsizedJsonContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnsizedJsonContent(string json)
        {
            _bytes = Encoding.UTF8.GetBytes(json);
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) =>
            stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
