using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;

namespace Gateway.Domain.Tests.Provisioning;

public class ProvisioningRulesSpecs
{
    private const string TooLongSecret = "513 characters"; // placeholder: expanded by Expand()
    private const string MaxLengthSecret = "512 characters";
    private const string TooLongName = "101 characters";
    private const string MaxLengthName = "100 characters";
    private const string TooLongId = "65 characters";
    private const string TooLongLabel = "64-character label";
    private const string MaxLengthLabel = "63-character label";
    private const string TooLongDomain = "254-character domain";
    private const string MaxLengthDomain = "253-character domain";

    private static readonly PartnerFields ValidPartner = new(
        PrimaryUrl: "https://partner.example/sms",
        SecondaryUrl: null,
        ClientSecret: "client-S3cret!",
        SecurityToken: "security-T0ken~");

    private static readonly RecordingServerFields ValidRecordingServer = new(
        Name: "Recorder 1",
        Url: "https://recorder.example/copies",
        AuthenticationKey: null);

    private static readonly SubscriberFields ValidSubscriber = new(
        Mobile: "+19465559040",
        Did: "+19465559041",
        Domain: "acme.example",
        PartnerId: "p1",
        GroupId: null);

    // ---------------------------------------------------------------- partner

    [Fact]
    public void Partner_should_be_built_from_valid_fields()
    {
        var result = ProvisioningRules.Partner(new PartnerId("p1"), ValidPartner with { SecondaryUrl = "http://10.0.0.7:8080/sms" });

        Assert.True(result.IsOk);
        var partner = result.Value;
        Assert.Equal(new PartnerId("p1"), partner.Id);
        Assert.Equal("https://partner.example/sms", partner.PrimaryUrl.ToString());
        Assert.Equal("http://10.0.0.7:8080/sms", partner.SecondaryUrl?.ToString());
        Assert.Equal(SecretDigest.Of("client-S3cret!"), partner.ClientSecret);
        Assert.Equal(new Secret("security-T0ken~"), partner.SecurityToken);
    }

    [Fact]
    public void Partner_secondary_url_should_be_optional()
    {
        var result = ProvisioningRules.Partner(new PartnerId("p1"), ValidPartner);

        Assert.True(result.IsOk);
        Assert.Null(result.Value.SecondaryUrl);
    }

    [Fact]
    public void Partner_should_keep_only_the_digest_of_the_client_secret_never_the_clear_text()
    {
        var partner = ProvisioningRules.Partner(new PartnerId("p1"), ValidPartner).Value!;

        Assert.Equal(SecretDigest.Of(ValidPartner.ClientSecret!), partner.ClientSecret);
        Assert.NotEqual(ValidPartner.ClientSecret, partner.ClientSecret.Hex);
        Assert.DoesNotContain(ValidPartner.ClientSecret!, partner.ClientSecret.Hex);
        Assert.Matches("^[0-9a-f]{64}$", partner.ClientSecret.Hex);
    }

    [Theory]
    [InlineData("primaryUrl", null, ErrorCodes.MissingField)]
    [InlineData("primaryUrl", "", ErrorCodes.InvalidUrl)]
    [InlineData("primaryUrl", "/sms", ErrorCodes.InvalidUrl)]
    [InlineData("primaryUrl", "ftp://partner.example/sms", ErrorCodes.InvalidUrl)]
    [InlineData("primaryUrl", "https://u:p@partner.example/sms", ErrorCodes.InvalidUrl)]
    [InlineData("primaryUrl", "https://partner.example/sms#x", ErrorCodes.InvalidUrl)]
    [InlineData("secondaryUrl", "mailto:ops@partner.example", ErrorCodes.InvalidUrl)] // optional, but checked when given
    [InlineData("secondaryUrl", "", ErrorCodes.InvalidUrl)]                           // empty is not the same as absent
    [InlineData("clientSecret", null, ErrorCodes.MissingField)]
    [InlineData("clientSecret", "", ErrorCodes.InvalidSecret)]
    [InlineData("clientSecret", "with space", ErrorCodes.InvalidSecret)]
    [InlineData("clientSecret", "tab\there", ErrorCodes.InvalidSecret)]
    [InlineData("clientSecret", "bell\u0007", ErrorCodes.InvalidSecret)]
    [InlineData("clientSecret", "del\u007f", ErrorCodes.InvalidSecret)]
    [InlineData("clientSecret", "sécret", ErrorCodes.InvalidSecret)]                // not ASCII
    [InlineData("clientSecret", "***", ErrorCodes.InvalidSecret)]                   // the redaction placeholder sent back by a careless client
    [InlineData("clientSecret", TooLongSecret, ErrorCodes.InvalidSecret)]
    [InlineData("securityToken", null, ErrorCodes.MissingField)]
    [InlineData("securityToken", "", ErrorCodes.InvalidSecret)]
    [InlineData("securityToken", "with space", ErrorCodes.InvalidSecret)]
    [InlineData("securityToken", "line\nbreak", ErrorCodes.InvalidSecret)]           // would split an HTTP header
    [InlineData("securityToken", "***", ErrorCodes.InvalidSecret)]
    [InlineData("securityToken", TooLongSecret, ErrorCodes.InvalidSecret)]
    public void Partner_should_refuse_a_missing_or_invalid_field_naming_it(string field, string? value, string code)
    {
        var fields = field switch
        {
            "primaryUrl" => ValidPartner with { PrimaryUrl = Expand(value) },
            "secondaryUrl" => ValidPartner with { SecondaryUrl = Expand(value) },
            "clientSecret" => ValidPartner with { ClientSecret = Expand(value) },
            "securityToken" => ValidPartner with { SecurityToken = Expand(value) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var result = ProvisioningRules.Partner(new PartnerId("p1"), fields);

        AssertRefused(result, code, field);
    }

    [Theory]
    [InlineData("!")]             // one character: the minimum
    [InlineData("~")]             // the last visible ASCII character
    [InlineData("****")]          // only the exact placeholder is refused
    [InlineData("a.b-c_d+e/f=")]  // base64 and JWT-like tokens
    [InlineData(MaxLengthSecret)]
    public void Partner_should_accept_any_1_to_512_visible_ascii_characters_as_a_secret(string secret)
    {
        var text = Expand(secret)!;
        var result = ProvisioningRules.Partner(new PartnerId("p1"), ValidPartner with { ClientSecret = text, SecurityToken = text });

        Assert.True(result.IsOk);
        Assert.Equal(text, result.Value.SecurityToken.Value);
    }

    [Theory]
    [InlineData("clientSecret", "leaked secret")]
    [InlineData("securityToken", "leaked\u0007token")]
    public void Partner_refusal_should_not_repeat_the_secret(string field, string secret)
    {
        var fields = field == "clientSecret" ? ValidPartner with { ClientSecret = secret } : ValidPartner with { SecurityToken = secret };

        var result = ProvisioningRules.Partner(new PartnerId("p1"), fields);

        Assert.False(result.IsOk);
        Assert.DoesNotContain("leaked", result.Error.Message);
    }

    [Fact]
    public void Partner_should_report_the_first_invalid_field()
    {
        var result = ProvisioningRules.Partner(new PartnerId("p1"), new PartnerFields(null, null, "with space", null));

        AssertRefused(result, ErrorCodes.MissingField, "primaryUrl");
    }

    // ---------------------------------------------------------------- recording server

    [Fact]
    public void RecordingServer_should_be_built_from_valid_fields()
    {
        var result = ProvisioningRules.RecordingServer(new RecordingServerId("rs1"), ValidRecordingServer with { AuthenticationKey = "k3y" });

        Assert.True(result.IsOk);
        var server = result.Value;
        Assert.Equal(new RecordingServerId("rs1"), server.Id);
        Assert.Equal("Recorder 1", server.Name);
        Assert.Equal("https://recorder.example/copies", server.Url.ToString());
        Assert.Equal(new Secret("k3y"), server.AuthenticationKey);
    }

    [Fact]
    public void RecordingServer_authentication_key_should_be_optional()
    {
        var result = ProvisioningRules.RecordingServer(new RecordingServerId("rs1"), ValidRecordingServer);

        Assert.True(result.IsOk);
        Assert.Null(result.Value.AuthenticationKey);
    }

    [Theory]
    [InlineData("Ünïcödé recorder")]  // printable is not the same as ASCII for a display name
    [InlineData(" padded ")]           // not only spaces
    [InlineData("x")]
    [InlineData(MaxLengthName)]
    public void RecordingServer_should_accept_a_printable_name_of_1_to_100_characters(string name)
    {
        var text = Expand(name)!;
        var result = ProvisioningRules.RecordingServer(new RecordingServerId("rs1"), ValidRecordingServer with { Name = text });

        Assert.True(result.IsOk);
        Assert.Equal(text, result.Value.Name);
    }

    [Theory]
    [InlineData("name", null, ErrorCodes.MissingField)]
    [InlineData("name", "", ErrorCodes.InvalidName)]
    [InlineData("name", "   ", ErrorCodes.InvalidName)]
    [InlineData("name", "line\nbreak", ErrorCodes.InvalidName)]
    [InlineData("name", "nul\0", ErrorCodes.InvalidName)]
    [InlineData("name", TooLongName, ErrorCodes.InvalidName)]
    [InlineData("url", null, ErrorCodes.MissingField)]
    [InlineData("url", "recorder.example/copies", ErrorCodes.InvalidUrl)]
    [InlineData("url", "ftp://recorder.example/copies", ErrorCodes.InvalidUrl)]
    [InlineData("url", "https://u:p@recorder.example/copies", ErrorCodes.InvalidUrl)]
    [InlineData("authenticationKey", "", ErrorCodes.InvalidSecret)]
    [InlineData("authenticationKey", "with space", ErrorCodes.InvalidSecret)]
    [InlineData("authenticationKey", "cr\r", ErrorCodes.InvalidSecret)]
    [InlineData("authenticationKey", "***", ErrorCodes.InvalidSecret)]
    [InlineData("authenticationKey", TooLongSecret, ErrorCodes.InvalidSecret)]
    public void RecordingServer_should_refuse_a_missing_or_invalid_field_naming_it(string field, string? value, string code)
    {
        var fields = field switch
        {
            "name" => ValidRecordingServer with { Name = Expand(value) },
            "url" => ValidRecordingServer with { Url = Expand(value) },
            "authenticationKey" => ValidRecordingServer with { AuthenticationKey = Expand(value) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var result = ProvisioningRules.RecordingServer(new RecordingServerId("rs1"), fields);

        AssertRefused(result, code, field);
    }

    // ---------------------------------------------------------------- group

    [Fact]
    public void Group_with_message_copy_disabled_should_need_no_recording_server()
    {
        var result = ProvisioningRules.Group(new GroupId("g1"), new GroupFields(false, null));

        Assert.True(result.IsOk);
        Assert.Equal(new GroupId("g1"), result.Value.Id);
        Assert.Equal(MessageCopySetting.Disabled, result.Value.MessageCopy);
    }

    [Fact]
    public void Group_with_message_copy_enabled_should_name_its_recording_server()
    {
        var result = ProvisioningRules.Group(new GroupId("g1"), new GroupFields(true, "rs1"));

        Assert.True(result.IsOk);
        Assert.Equal(new MessageCopySetting(true, new RecordingServerId("rs1")), result.Value.MessageCopy);
    }

    [Fact]
    public void Group_should_require_messageCopy_enabled()
    {
        var result = ProvisioningRules.Group(new GroupId("g1"), new GroupFields(null, "rs1"));

        AssertRefused(result, ErrorCodes.MissingField, "messageCopy.enabled");
    }

    [Fact]
    public void Group_with_message_copy_enabled_but_no_recording_server_should_be_refused_as_a_missing_field()
    {
        var result = ProvisioningRules.Group(new GroupId("g1"), new GroupFields(true, null));

        AssertRefused(result, ErrorCodes.MissingField, "messageCopy.recordingServerId");
    }

    [Theory]
    [InlineData("")]
    [InlineData("rs 1")]
    [InlineData("-rs1")]   // must start with a letter or digit
    [InlineData(".rs1")]
    [InlineData("rs/1")]   // ids appear in URLs
    [InlineData("rsé")]
    [InlineData(TooLongId)]
    public void Group_should_refuse_an_invalid_recording_server_id(string id)
    {
        var result = ProvisioningRules.Group(new GroupId("g1"), new GroupFields(true, Expand(id)));

        AssertRefused(result, ErrorCodes.InvalidId, "messageCopy.recordingServerId");
    }

    // ---------------------------------------------------------------- subscriber

    [Fact]
    public void Subscriber_should_be_built_from_valid_fields()
    {
        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), ValidSubscriber with { GroupId = "g1" });

        Assert.True(result.IsOk);
        var subscriber = result.Value;
        Assert.Equal(new SubscriberId("s1"), subscriber.Id);
        Assert.Equal(E164Number.Parse("+19465559040"), subscriber.Mobile);
        Assert.Equal(E164Number.Parse("+19465559041"), subscriber.Did);
        Assert.Equal("acme.example", subscriber.Domain);
        Assert.Equal(new PartnerId("p1"), subscriber.PartnerId);
        Assert.Equal(new GroupId("g1"), subscriber.GroupId);
    }

    [Fact]
    public void Subscriber_group_should_be_optional()
    {
        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), ValidSubscriber);

        Assert.True(result.IsOk);
        Assert.Null(result.Value.GroupId);
    }

    [Fact]
    public void Subscriber_may_use_the_same_number_as_mobile_and_did()
    {
        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), ValidSubscriber with { Did = ValidSubscriber.Mobile });

        Assert.True(result.IsOk);
        Assert.Equal(result.Value.Mobile, result.Value.Did);
    }

    [Theory]
    [InlineData("localhost")]          // a single label
    [InlineData("acme.example")]
    [InlineData("ACME.Example")]
    [InlineData("a-b.c-d.example")]
    [InlineData("123.example")]
    [InlineData(MaxLengthLabel)]
    [InlineData(MaxLengthDomain)]
    public void Subscriber_should_accept_a_dns_name_as_domain(string domain)
    {
        var text = Expand(domain)!;
        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), ValidSubscriber with { Domain = text });

        Assert.True(result.IsOk);
        Assert.Equal(text, result.Value.Domain);
    }

    [Theory]
    [InlineData("mobile", null, ErrorCodes.MissingField)]
    [InlineData("mobile", "19465559040", ErrorCodes.InvalidE164)]
    [InlineData("mobile", "+1234567", ErrorCodes.InvalidE164)]
    [InlineData("mobile", "", ErrorCodes.InvalidE164)]
    [InlineData("did", null, ErrorCodes.MissingField)]
    [InlineData("did", "+09465559040", ErrorCodes.InvalidE164)]
    [InlineData("did", "+1234567890123456", ErrorCodes.InvalidE164)]
    [InlineData("domain", null, ErrorCodes.MissingField)]
    [InlineData("domain", "", ErrorCodes.InvalidDomain)]
    [InlineData("domain", "acme..example", ErrorCodes.InvalidDomain)]      // empty label
    [InlineData("domain", ".acme.example", ErrorCodes.InvalidDomain)]
    [InlineData("domain", "acme.example.", ErrorCodes.InvalidDomain)]      // the root dot is not part of the name here
    [InlineData("domain", "-acme.example", ErrorCodes.InvalidDomain)]      // a label cannot start with '-'
    [InlineData("domain", "acme-.example", ErrorCodes.InvalidDomain)]      // nor end with one
    [InlineData("domain", "acme_corp.example", ErrorCodes.InvalidDomain)]
    [InlineData("domain", "acme corp.example", ErrorCodes.InvalidDomain)]
    [InlineData("domain", "äcme.example", ErrorCodes.InvalidDomain)]       // IDNs go in their xn-- form
    [InlineData("domain", "https://acme.example", ErrorCodes.InvalidDomain)]
    [InlineData("domain", TooLongLabel, ErrorCodes.InvalidDomain)]
    [InlineData("domain", TooLongDomain, ErrorCodes.InvalidDomain)]
    [InlineData("partnerId", null, ErrorCodes.MissingField)]
    [InlineData("partnerId", "", ErrorCodes.InvalidId)]
    [InlineData("partnerId", "p 1", ErrorCodes.InvalidId)]
    [InlineData("partnerId", "_p1", ErrorCodes.InvalidId)]
    [InlineData("partnerId", TooLongId, ErrorCodes.InvalidId)]
    [InlineData("groupId", "", ErrorCodes.InvalidId)]
    [InlineData("groupId", "g/1", ErrorCodes.InvalidId)]
    [InlineData("groupId", TooLongId, ErrorCodes.InvalidId)]
    public void Subscriber_should_refuse_a_missing_or_invalid_field_naming_it(string field, string? value, string code)
    {
        var fields = field switch
        {
            "mobile" => ValidSubscriber with { Mobile = Expand(value) },
            "did" => ValidSubscriber with { Did = Expand(value) },
            "domain" => ValidSubscriber with { Domain = Expand(value) },
            "partnerId" => ValidSubscriber with { PartnerId = Expand(value) },
            "groupId" => ValidSubscriber with { GroupId = Expand(value) },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), fields);

        AssertRefused(result, code, field);
    }

    [Fact]
    public void Subscriber_should_accept_a_64_character_partner_id()
    {
        var id = new string('p', ResourceIdRule.MaxLength);
        var result = ProvisioningRules.Subscriber(new SubscriberId("s1"), ValidSubscriber with { PartnerId = id });

        Assert.True(result.IsOk);
        Assert.Equal(new PartnerId(id), result.Value.PartnerId);
    }

    // ---------------------------------------------------------------- secrets

    [Fact]
    public void Secret_ToString_should_be_redacted()
    {
        var secret = new Secret("s3cret-token");

        Assert.Equal("***", secret.ToString());
        Assert.Equal("***", $"{secret}");
    }

    [Fact]
    public void SecretDigest_ToString_should_be_redacted()
    {
        var digest = SecretDigest.Of("s3cret-token");

        Assert.Equal("***", digest.ToString());
        Assert.Equal("***", $"{digest}");
    }

    [Fact]
    public void SecretDigest_should_be_the_lowercase_hex_sha256_of_the_utf8_secret()
    {
        // FIPS 180-2 test vector for "abc"
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", SecretDigest.Of("abc").Hex);
    }

    [Fact]
    public void SecretDigest_should_compare_equal_only_for_the_same_secret()
    {
        Assert.True(SecretDigest.Of("one").FixedTimeEquals(SecretDigest.Of("one")));
        Assert.False(SecretDigest.Of("one").FixedTimeEquals(SecretDigest.Of("two")));
        Assert.Equal(SecretDigest.Of("one"), SecretDigest.Of("one"));
    }

    [Fact]
    public void Partner_ToString_should_not_contain_its_secrets()
    {
        var partner = ProvisioningRules.Partner(new PartnerId("p1"),
            ValidPartner with { ClientSecret = "clientSecretValue", SecurityToken = "securityTokenValue" }).Value!;

        var text = partner.ToString();

        Assert.Contains("p1", text); // it does print the record, only not the secrets
        Assert.DoesNotContain("clientSecretValue", text);
        Assert.DoesNotContain("securityTokenValue", text);
        Assert.DoesNotContain(partner.ClientSecret.Hex, text);
        Assert.Contains("***", text);
    }

    [Fact]
    public void RecordingServer_ToString_should_not_contain_its_authentication_key()
    {
        var server = ProvisioningRules.RecordingServer(new RecordingServerId("rs1"),
            ValidRecordingServer with { AuthenticationKey = "authenticationKeyValue" }).Value!;

        var text = server.ToString();

        Assert.Contains("rs1", text);
        Assert.DoesNotContain("authenticationKeyValue", text);
        Assert.Contains("***", text);
    }

    // ---------------------------------------------------------------- helpers

    private static void AssertRefused<T>(Result<T> result, string code, string field)
    {
        Assert.False(result.IsOk, $"expected {code} for '{field}', got {result.Value}");
        Assert.Equal(code, result.Error.Code);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Contains($"'{field}'", result.Error.Message);
        Assert.Null(result.Value);
    }

    /// <summary>Turns the long-value placeholders of the tables into their text (attributes take constants only).</summary>
    private static string? Expand(string? value) => value switch
    {
        TooLongSecret => new string('s', BearerTokenRule.MaxLength + 1),
        MaxLengthSecret => new string('s', BearerTokenRule.MaxLength),
        TooLongName => new string('n', ProvisioningRules.MaxNameLength + 1),
        MaxLengthName => new string('n', ProvisioningRules.MaxNameLength),
        TooLongId => new string('i', ResourceIdRule.MaxLength + 1),
        TooLongLabel => new string('l', 64) + ".example",
        MaxLengthLabel => new string('l', 63) + ".example",
        TooLongDomain => DomainOfLength(ProvisioningRules.MaxDomainLength + 1),
        MaxLengthDomain => DomainOfLength(ProvisioningRules.MaxDomainLength),
        _ => value,
    };

    private static string DomainOfLength(int length)
    {
        // labels of 49 characters plus a dot (50 each), then a last label making up the rest
        var labels = new List<string>();
        var remaining = length;
        while (remaining > 50)
        {
            labels.Add(new string('d', 49));
            remaining -= 50;
        }
        labels.Add(new string('e', remaining));
        var domain = string.Join('.', labels);
        return domain.Length == length ? domain : throw new InvalidOperationException("domain length arithmetic");
    }
}
