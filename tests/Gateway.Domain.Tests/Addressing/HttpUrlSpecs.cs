using Gateway.Domain.Addressing;

namespace Gateway.Domain.Tests.Addressing;

public class HttpUrlSpecs
{
    [Theory]
    [InlineData("https://partner.example/webhook")]
    [InlineData("http://partner.example/webhook")]                        // plain http: partners on private networks
    [InlineData("https://partner.example")]                               // no path at all
    [InlineData("https://partner.example:8443/sms/in")]
    [InlineData("http://10.0.0.5:8080/sms")]
    [InlineData("http://[::1]:8080/sms")]
    [InlineData("http://localhost/")]
    [InlineData("https://partner.example/api/v1/in?tenant=acme&format=json")]
    [InlineData("HTTPS://PARTNER.EXAMPLE/webhook")]                       // schemes are case-insensitive
    public void TryParse_should_accept_an_absolute_http_or_https_url(string text)
    {
        Assert.True(HttpUrl.TryParse(text, out var url, out var problem));
        Assert.Equal("", problem);
        Assert.Contains(url.Uri.Scheme, new[] { Uri.UriSchemeHttp, Uri.UriSchemeHttps });
        Assert.Equal(text, url.ToString());
    }

    [Fact]
    public void TryParse_should_keep_the_port_path_and_query()
    {
        Assert.True(HttpUrl.TryParse("https://partner.example:8443/api/in?tenant=acme", out var url, out _));
        Assert.Equal("partner.example", url.Uri.Host);
        Assert.Equal(8443, url.Uri.Port);
        Assert.Equal("/api/in", url.Uri.AbsolutePath);
        Assert.Equal("?tenant=acme", url.Uri.Query);
    }

    [Fact]
    public void TryParse_should_accept_a_url_of_exactly_the_maximum_length()
    {
        var text = LongUrl(HttpUrl.MaxLength);
        Assert.Equal(2048, text.Length);
        Assert.True(HttpUrl.TryParse(text, out _, out _));
    }

    [Theory]
    [InlineData("/webhook")]                                    // relative
    [InlineData("webhook")]                                     // relative
    [InlineData("partner.example/webhook")]                     // no scheme
    [InlineData("//partner.example/webhook")]                   // scheme-relative
    [InlineData("ftp://partner.example/in")]
    [InlineData("mailto:ops@partner.example")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ws://partner.example/socket")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t")]
    [InlineData("https://")]                                    // no host
    [InlineData("http:///webhook")]                             // no host
    [InlineData("https:partner.example")]
    [InlineData("https://partner.example:99999/")]              // port out of range
    [InlineData("https://part ner.example/")]                   // space in the host
    [InlineData("https://user:pass@partner.example/webhook")]   // credentials would end up in logs
    [InlineData("https://user@partner.example/webhook")]        // a user name alone is still credentials
    [InlineData("https://partner.example/webhook#section")]
    [InlineData("https://partner.example/webhook?x=1#section")]
    [InlineData("https://partner.example/#")]                   // even an empty fragment
    public void TryParse_should_refuse_anything_else_and_say_why(string text)
    {
        Assert.False(HttpUrl.TryParse(text, out var url, out var problem));
        Assert.Equal(default, url);
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void TryParse_should_refuse_null_and_say_why()
    {
        Assert.False(HttpUrl.TryParse(null, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void TryParse_should_refuse_a_url_longer_than_2048_characters_and_name_the_limit()
    {
        var text = LongUrl(HttpUrl.MaxLength + 1);
        Assert.False(HttpUrl.TryParse(text, out _, out var problem));
        Assert.Contains("2048", problem);
    }

    [Fact]
    public void The_problem_with_credentials_should_say_so_without_repeating_them()
    {
        Assert.False(HttpUrl.TryParse("https://alice:hunter2@partner.example/", out _, out var problem));
        Assert.Contains("credentials", problem);
        Assert.DoesNotContain("hunter2", problem);
        Assert.DoesNotContain("alice", problem);
    }

    [Fact]
    public void The_problem_with_a_fragment_should_say_so()
    {
        Assert.False(HttpUrl.TryParse("https://partner.example/in#x", out _, out var problem));
        Assert.Contains("fragment", problem);
    }

    [Fact]
    public void The_problem_with_another_scheme_should_name_http_and_https()
    {
        Assert.False(HttpUrl.TryParse("ftp://partner.example/in", out _, out var problem));
        Assert.Contains("http or https", problem);
    }

    // The stored text is what ToString() returns: what the admin API echoes and what logs show.
    // Uri.TryCreate trims surrounding whitespace and escapes control characters, so without a check
    // of its own HttpUrl accepts these and keeps the raw text (newlines included) as the URL.
    [Theory]
    [InlineData(" https://partner.example/webhook")]
    [InlineData("https://partner.example/webhook ")]
    [InlineData("\thttps://partner.example/webhook")]
    [InlineData("https://partner.example/webhook\n")]
    [InlineData("https://partner.example/web\u0007hook")]
    public void TryParse_should_refuse_surrounding_whitespace_and_control_characters(string text)
    {
        Assert.False(HttpUrl.TryParse(text, out _, out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Theory]
    [InlineData("ftp://partner.example/in")]
    [InlineData("https://user:pass@partner.example/")]
    [InlineData("")]
    public void Parse_should_throw_a_FormatException_on_an_invalid_url(string text)
    {
        var error = Assert.Throws<FormatException>(() => HttpUrl.Parse(text));
        Assert.StartsWith("URL must", error.Message);
    }

    [Fact]
    public void Parse_should_return_the_url_TryParse_finds()
    {
        Assert.True(HttpUrl.TryParse("https://partner.example/in", out var parsed, out _));
        Assert.Equal(parsed, HttpUrl.Parse("https://partner.example/in"));
    }

    private static string LongUrl(int length)
    {
        const string prefix = "https://partner.example/";
        return prefix + new string('a', length - prefix.Length);
    }
}
