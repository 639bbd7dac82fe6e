using System.Net;
using System.Net.Http.Headers;
using Gateway.Domain.Errors;
using static Gateway.Host.Tests.Api.AdminRequests;

namespace Gateway.Host.Tests.Api;

public sealed class AdminApiSpecs(AdminApiFixture fixture) : IClassFixture<AdminApiFixture>
{
    private readonly HttpClient _admin = fixture.App.CreateAdminClient();

    private async Task<string> NewPartner()
    {
        var id = AdminApiFixture.NewId("p");
        await _admin.PutOk($"/admin/partners/{id}", PartnerBody(clientSecret: $"secret-{id}"));
        return id;
    }

    // ---- authentication

    public static TheoryData<string?> RefusedAuthorizations => new()
    {
        null,                                          // no header
        "Bearer wrong-token",                          // wrong token
        $"Basic {GatewayApp.AdminToken}",              // wrong scheme
        "Bearer",                                      // no token
        $"Bearer {GatewayApp.AdminToken} extra",       // two tokens
        $"Bearer{GatewayApp.AdminToken}",              // no space
        GatewayApp.AdminToken,                         // no scheme
    };

    [Theory]
    [MemberData(nameof(RefusedAuthorizations))]
    public async Task AdminApi_should_answer_401_with_a_bearer_challenge_without_the_admin_token(string? authorization)
    {
        var client = fixture.App.CreateClient();
        var request = new HttpRequestMessage(HttpMethod.Put, "/admin/partners/p-auth") { Content = Json(PartnerBody()) };
        if (authorization is not null)
            request.Headers.TryAddWithoutValidation("Authorization", authorization);

        var response = await client.SendAsync(request);

        await response.AssertError(HttpStatusCode.Unauthorized, ErrorCodes.Unauthorized);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString());
        var get = await client.GetAsync("/admin/partners/p-auth");
        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
    }

    [Fact]
    public async Task AdminApi_should_accept_the_bearer_scheme_in_any_case()
    {
        var client = fixture.App.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"bEaReR {GatewayApp.AdminToken}");

        var response = await client.GetAsync("/admin/partners/no-such-partner");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    // ---- round trips and redaction

    [Fact]
    public async Task AdminApi_should_store_a_partner_and_show_its_secrets_only_as_stars()
    {
        var stored = await _admin.PutOk("/admin/partners/p-redact",
            PartnerBody(clientSecret: "client-secret-visible-never", securityToken: "security-token-visible-never"));
        var read = await _admin.GetOk("/admin/partners/p-redact");

        foreach (var partner in new[] { stored, read })
        {
            Assert.Equal("p-redact", partner.GetProperty("id").GetString());
            Assert.Equal("https://partner.example/hook", partner.GetProperty("primaryUrl").GetString());
            Assert.Equal("***", partner.GetProperty("clientSecret").GetString());
            Assert.Equal("***", partner.GetProperty("securityToken").GetString());
            Assert.DoesNotContain("visible-never", partner.GetRawText());
        }
        Assert.DoesNotContain("visible-never", fixture.App.Logs.All);
    }

    [Fact]
    public async Task AdminApi_should_store_recording_servers_groups_and_subscribers()
    {
        var partner = await NewPartner();
        var server = AdminApiFixture.NewId("rs");
        var group = AdminApiFixture.NewId("g");
        var subscriber = AdminApiFixture.NewId("s");
        var (mobile, did) = (fixture.NewNumber(), fixture.NewNumber());

        var storedServer = await _admin.PutOk($"/admin/recording-servers/{server}",
            """{"name": "Recorder 1", "url": "http://10.0.0.9:8080/copies", "authenticationKey": "recorder-key-secret"}""");
        var storedGroup = await _admin.PutOk($"/admin/groups/{group}",
            $$$"""{"messageCopy": {"enabled": true, "recordingServerId": "{{{server}}}"}}""");
        var storedSubscriber = await _admin.PutOk($"/admin/subscribers/{subscriber}", SubscriberBody(mobile, did, partner, group));

        Assert.Equal("***", storedServer.GetProperty("authenticationKey").GetString());
        Assert.Equal("http://10.0.0.9:8080/copies", (await _admin.GetOk($"/admin/recording-servers/{server}")).GetProperty("url").GetString());
        Assert.True(storedGroup.GetProperty("messageCopy").GetProperty("enabled").GetBoolean());
        Assert.Equal(server, (await _admin.GetOk($"/admin/groups/{group}")).GetProperty("messageCopy").GetProperty("recordingServerId").GetString());
        var read = await _admin.GetOk($"/admin/subscribers/{subscriber}");
        Assert.Equal(storedSubscriber.GetRawText(), read.GetRawText());
        Assert.Equal((mobile, did, partner, group),
            (read.GetProperty("mobile").GetString(), read.GetProperty("did").GetString(),
             read.GetProperty("partnerId").GetString(), read.GetProperty("groupId").GetString()));
        Assert.DoesNotContain("recorder-key-secret", fixture.App.Logs.All);
    }

    [Fact]
    public async Task AdminApi_should_show_a_recording_server_without_a_key_as_null_and_a_group_without_message_copy_as_disabled()
    {
        var server = await _admin.PutOk("/admin/recording-servers/rs-nokey", """{"name": "Plain", "url": "https://rec.example/"}""");
        var group = await _admin.PutOk("/admin/groups/g-empty", "{}");

        Assert.Equal(System.Text.Json.JsonValueKind.Null, server.GetProperty("authenticationKey").ValueKind);
        Assert.False(group.GetProperty("messageCopy").GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task AdminApi_should_replace_a_resource_on_a_second_put()
    {
        var partner = await NewPartner();
        var subscriber = AdminApiFixture.NewId("s");
        var (first, second) = (fixture.NewNumber(), fixture.NewNumber());
        await _admin.PutOk($"/admin/subscribers/{subscriber}", SubscriberBody(first, first, partner));

        await _admin.PutOk($"/admin/subscribers/{subscriber}", SubscriberBody(second, second, partner));

        Assert.Equal(second, (await _admin.GetOk($"/admin/subscribers/{subscriber}")).GetProperty("did").GetString());
        var other = AdminApiFixture.NewId("s");
        await _admin.PutOk($"/admin/subscribers/{other}", SubscriberBody(first, first, partner)); // the old number is free
    }

    [Fact]
    public async Task AdminApi_should_accept_field_names_in_any_case()
    {
        var partner = await NewPartner();
        var number = fixture.NewNumber();

        var stored = await _admin.PutOk($"/admin/subscribers/{AdminApiFixture.NewId("s")}",
            $$"""{"Mobile": "{{number}}", "DID": "{{number}}", "Domain": "acme.example", "PARTNERID": "{{partner}}"}""");

        Assert.Equal(number, stored.GetProperty("mobile").GetString());
    }

    // ---- lists

    [Fact]
    public async Task AdminApi_should_list_subscribers_in_id_order_a_page_at_a_time()
    {
        var partner = await NewPartner();
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var id = AdminApiFixture.NewId("list");
            var number = fixture.NewNumber();
            await _admin.PutOk($"/admin/subscribers/{id}", SubscriberBody(number, number, partner));
            ids.Add(id);
        }

        var seen = new List<string>();
        string? after = null;
        for (var pages = 0; pages < 1000; pages++)
        {
            var page = await _admin.GetOk($"/admin/subscribers?limit=3{(after is null ? "" : $"&after={after}")}");
            var items = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetString()!).ToList();
            Assert.True(items.Count <= 3);
            seen.AddRange(items);
            if (page.GetProperty("next").ValueKind == System.Text.Json.JsonValueKind.Null)
                break;
            after = page.GetProperty("next").GetString();
            Assert.Equal(items[^1], after);
        }

        Assert.Equal(seen.Order(StringComparer.Ordinal), seen);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), ids.ToHashSet());
        Assert.Contains(partner, (await _admin.GetOk("/admin/partners?limit=1000")).GetProperty("items").EnumerateArray()
            .Select(p => p.GetProperty("id").GetString()));
    }

    [Theory]
    [InlineData("/admin/subscribers?limit=0")]
    [InlineData("/admin/partners?limit=1001")]
    [InlineData("/admin/groups?limit=ten")]
    [InlineData("/admin/recording-servers?limit=-1")]
    public async Task AdminApi_should_answer_400_for_an_invalid_page_size(string path)
    {
        await (await _admin.GetAsync(path)).AssertError(HttpStatusCode.BadRequest, ErrorCodes.InvalidParameter);
    }

    // ---- deletes and 404

    [Fact]
    public async Task AdminApi_should_delete_with_204_and_then_answer_404()
    {
        var partner = await NewPartner();
        var subscriber = AdminApiFixture.NewId("s");
        var number = fixture.NewNumber();
        await _admin.PutOk($"/admin/subscribers/{subscriber}", SubscriberBody(number, number, partner));

        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/admin/subscribers/{subscriber}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/admin/partners/{partner}")).StatusCode);

        await (await _admin.GetAsync($"/admin/subscribers/{subscriber}")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.GetAsync($"/admin/partners/{partner}")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.DeleteAsync($"/admin/subscribers/{subscriber}")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Theory]
    [InlineData("/admin/partners/unknown-partner")]
    [InlineData("/admin/recording-servers/unknown-server")]
    [InlineData("/admin/groups/unknown-group")]
    [InlineData("/admin/subscribers/unknown-subscriber")]
    [InlineData("/admin/subscribers/not%20a%20valid%20id")]
    public async Task AdminApi_should_answer_404_for_unknown_ids(string path)
    {
        await (await _admin.GetAsync(path)).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.DeleteAsync(path)).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task Gateway_should_answer_unknown_routes_and_methods_with_the_error_body()
    {
        await (await _admin.GetAsync("/admin/nothing-here")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
        await (await _admin.PostAsync("/admin/partners/p1", Json(PartnerBody()))).AssertError(HttpStatusCode.MethodNotAllowed, ErrorCodes.MethodNotAllowed);
    }

    [Fact]
    public async Task AdminApi_should_refuse_to_delete_what_is_still_referenced()
    {
        var partner = await NewPartner();
        var server = AdminApiFixture.NewId("rs");
        var group = AdminApiFixture.NewId("g");
        var number = fixture.NewNumber();
        await _admin.PutOk($"/admin/recording-servers/{server}", """{"name": "R", "url": "https://r.example/"}""");
        await _admin.PutOk($"/admin/groups/{group}", $$$"""{"messageCopy": {"enabled": true, "recordingServerId": "{{{server}}}"}}""");
        await _admin.PutOk($"/admin/subscribers/{AdminApiFixture.NewId("s")}", SubscriberBody(number, number, partner, group));

        await (await _admin.DeleteAsync($"/admin/partners/{partner}")).AssertError(HttpStatusCode.Conflict, ErrorCodes.PartnerInUse);
        await (await _admin.DeleteAsync($"/admin/groups/{group}")).AssertError(HttpStatusCode.Conflict, ErrorCodes.GroupInUse);
        await (await _admin.DeleteAsync($"/admin/recording-servers/{server}")).AssertError(HttpStatusCode.Conflict, ErrorCodes.RecordingServerInUse);
    }

    // ---- conflicts

    [Fact]
    public async Task AdminApi_should_answer_409_for_a_did_or_mobile_of_another_subscriber_and_store_nothing()
    {
        var partner = await NewPartner();
        var (mobile, did) = (fixture.NewNumber(), fixture.NewNumber());
        await _admin.PutOk($"/admin/subscribers/{AdminApiFixture.NewId("s")}", SubscriberBody(mobile, did, partner));
        var second = AdminApiFixture.NewId("s");

        await (await _admin.PutAsync($"/admin/subscribers/{second}", Json(SubscriberBody(fixture.NewNumber(), did, partner))))
            .AssertError(HttpStatusCode.Conflict, ErrorCodes.DidInUse);
        await (await _admin.PutAsync($"/admin/subscribers/{second}", Json(SubscriberBody(mobile, fixture.NewNumber(), partner))))
            .AssertError(HttpStatusCode.Conflict, ErrorCodes.MobileInUse);

        await (await _admin.GetAsync($"/admin/subscribers/{second}")).AssertError(HttpStatusCode.NotFound, ErrorCodes.NotFound);
    }

    [Fact]
    public async Task AdminApi_should_answer_409_for_a_client_secret_of_another_partner()
    {
        await _admin.PutOk("/admin/partners/p-secret-a", PartnerBody(clientSecret: "shared-secret-xyz"));

        await (await _admin.PutAsync("/admin/partners/p-secret-b", Json(PartnerBody(clientSecret: "shared-secret-xyz"))))
            .AssertError(HttpStatusCode.Conflict, ErrorCodes.ClientSecretInUse);
    }

    // ---- invalid bodies

    public static TheoryData<string, string, string> InvalidBodies => new()
    {
        // path, body, expected code
        { "/admin/partners/p-bad", """{"primaryUrl": "ftp://x.example", "clientSecret": "a", "securityToken": "b"}""", ErrorCodes.InvalidUrl },
        { "/admin/partners/p-bad", """{"primaryUrl": "/relative", "clientSecret": "a", "securityToken": "b"}""", ErrorCodes.InvalidUrl },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "secondaryUrl": "nope", "clientSecret": "a", "securityToken": "b"}""", ErrorCodes.InvalidUrl },
        { "/admin/partners/p-bad", """{"clientSecret": "a", "securityToken": "b"}""", ErrorCodes.MissingField },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "securityToken": "b"}""", ErrorCodes.MissingField },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "clientSecret": "has space", "securityToken": "b"}""", ErrorCodes.InvalidSecret },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "clientSecret": "***", "securityToken": "b"}""", ErrorCodes.InvalidSecret },
        { "/admin/partners/p-bad", """{"primaryUrl": 42, "clientSecret": "a", "securityToken": "b"}""", ErrorCodes.InvalidFieldType },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "clientSecret": "a", "securityToken": "b", "extra": 1}""", ErrorCodes.UnknownField },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example", "primaryurl": "https://b.example", "clientSecret": "a", "securityToken": "b"}""", ErrorCodes.DuplicateField },
        { "/admin/partners/p-bad", """{"primaryUrl": "https://a.example",""", ErrorCodes.MalformedJson },
        { "/admin/partners/p-bad", "", ErrorCodes.MalformedJson },
        { "/admin/partners/p-bad", "not json", ErrorCodes.MalformedJson },
        { "/admin/partners/p-bad", """["https://a.example"]""", ErrorCodes.BodyNotObject },
        { "/admin/partners/p-bad", "null", ErrorCodes.BodyNotObject },
        { "/admin/partners/bad%20id", PartnerBody(), ErrorCodes.InvalidId },
        { "/admin/recording-servers/rs-bad", """{"url": "https://r.example"}""", ErrorCodes.MissingField },
        { "/admin/recording-servers/rs-bad", """{"name": "  ", "url": "https://r.example"}""", ErrorCodes.InvalidName },
        { "/admin/recording-servers/rs-bad", """{"name": "R", "url": "https://user:pw@r.example"}""", ErrorCodes.InvalidUrl },
        { "/admin/groups/g-bad", """{"messageCopy": {"enabled": true}}""", ErrorCodes.MissingField },
        { "/admin/groups/g-bad", """{"messageCopy": {"enabled": "yes"}}""", ErrorCodes.InvalidFieldType },
        { "/admin/groups/g-bad", """{"messageCopy": true}""", ErrorCodes.InvalidFieldType },
        { "/admin/groups/g-bad", """{"messageCopy": {"enabled": true, "recordingServerId": "no-such-server"}}""", ErrorCodes.RecordingServerNotFound },
        { "/admin/groups/g-bad", """{"messageCopy": {"enabled": false, "server": "x"}}""", ErrorCodes.UnknownField },
        { "/admin/subscribers/s-bad", """{"mobile": "19465559040", "did": "+19465559040", "domain": "a.example", "partnerId": "p"}""", ErrorCodes.InvalidE164 },
        { "/admin/subscribers/s-bad", """{"mobile": "+19465559040", "did": "+0465559040", "domain": "a.example", "partnerId": "p"}""", ErrorCodes.InvalidE164 },
        { "/admin/subscribers/s-bad", """{"mobile": "+19465559040", "did": "+1946", "domain": "a.example", "partnerId": "p"}""", ErrorCodes.InvalidE164 },
        { "/admin/subscribers/s-bad", """{"mobile": "+19465559040", "did": "+19465559040", "domain": "not a domain", "partnerId": "p"}""", ErrorCodes.InvalidDomain },
        { "/admin/subscribers/s-bad", """{"mobile": "+19465559040", "did": "+19465559040", "domain": "a.example"}""", ErrorCodes.MissingField },
        { "/admin/subscribers/s-bad", """{"mobile": "+19465559040", "did": "+19465559040", "domain": "a.example", "partnerId": "no-such-partner"}""", ErrorCodes.PartnerNotFound },
        { "/admin/subscribers/s-bad", """{"mobile": ["+19465559040"], "did": "+19465559040", "domain": "a.example", "partnerId": "p"}""", ErrorCodes.InvalidFieldType },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task AdminApi_should_answer_400_with_a_stable_code_for_an_invalid_body_and_store_nothing(string path, string body, string code)
    {
        var response = await _admin.PutAsync(path, Json(body));

        await response.AssertError(HttpStatusCode.BadRequest, code);
        var read = await _admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
    }

    [Fact]
    public async Task AdminApi_should_answer_415_without_a_json_content_type()
    {
        var plain = new StringContent(PartnerBody(), System.Text.Encoding.UTF8, "text/plain");
        var missing = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(PartnerBody()));
        var latin1 = new StringContent(PartnerBody());
        latin1.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=iso-8859-1");

        foreach (var content in new HttpContent[] { plain, missing, latin1 })
            await (await _admin.PutAsync("/admin/partners/p-415", content)).AssertError(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await _admin.GetAsync("/admin/partners/p-415")).StatusCode);
    }

    [Fact]
    public async Task AdminApi_should_answer_413_for_a_body_over_the_admin_limit()
    {
        var huge = $$"""{"primaryUrl": "https://a.example", "clientSecret": "a", "securityToken": "{{new string('x', 70_000)}}"}""";

        await (await _admin.PutAsync("/admin/partners/p-413", Json(huge))).AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);

        // the same without a Content-Length (chunked): refused while reading
        var chunked = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge)));
        chunked.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        var request = new HttpRequestMessage(HttpMethod.Put, "/admin/partners/p-413") { Content = chunked };
        request.Headers.TransferEncodingChunked = true;
        await (await _admin.SendAsync(request)).AssertError(HttpStatusCode.RequestEntityTooLarge, ErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task AdminApi_should_answer_every_garbage_body_with_a_4xx_error_body_and_never_a_500()
    {
        var random = new Random(20261123);
        string[] paths = ["/admin/partners/p-fuzz", "/admin/recording-servers/rs-fuzz", "/admin/groups/g-fuzz", "/admin/subscribers/s-fuzz"];
        string[] fragments =
        [
            "{", "}", "[", "]", ":", ",", "\"", "null", "true", "1e999", "-0", "\"\\ud800\"", "\"primaryUrl\"", "\"mobile\"",
            "\"messageCopy\"", "{\"enabled\":", "\"+19465559040\"", "\"https://x.example\"", "\u0000", "\u00ff", "\\", "9999999999999999999999",
        ];
        for (var i = 0; i < 400; i++)
        {
            var body = string.Concat(Enumerable.Range(0, random.Next(1, 12)).Select(_ => fragments[random.Next(fragments.Length)]));
            var path = paths[random.Next(paths.Length)];

            var response = await _admin.PutAsync(path, Json(body));

            var status = (int)response.StatusCode;
            Assert.True(status is >= 400 and < 500, $"PUT {path} {body} answered {status}");
            var error = await response.Content.ReadAsStringAsync();
            Assert.Contains("\"code\"", error);
        }
        Assert.Equal(HttpStatusCode.OK, (await fixture.App.CreateClient().GetAsync("/healthz")).StatusCode);
    }
}
