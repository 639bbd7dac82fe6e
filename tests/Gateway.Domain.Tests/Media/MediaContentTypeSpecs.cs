using Gateway.Domain.Errors;
using Gateway.Domain.Media;

namespace Gateway.Domain.Tests.Media;

public class MediaContentTypeSpecs
{
    // The seed's "Supported MMS file types", written out again so that a change to the list is deliberate.
    private static readonly string[] SeedTypes =
    [
        "application/json", "application/ogg", "application/pdf", "application/rtf", "application/zip",
        "application/x-tar", "application/xml", "application/gzip", "application/x-bzip2", "application/x-gzip",
        "application/smil",
        "text/plain", "text/javascript", "text/css", "text/csv", "text/cal", "text/html", "text/vcard",
        "text/x-vcard", "text/vnd.wap.wml", "text/rtf", "text/xml",
        "audio/mp4", "audio/mpeg", "audio/ogg", "audio/flac", "audio/wav", "audio/amr", "audio/3gpp",
        "image/bmp", "image/gif", "image/jpeg", "image/png", "image/svg+xml", "image/tiff", "image/webp", "image/x-icon",
        "video/mp4", "video/mpeg", "video/ogg", "video/quicktime", "video/webm", "video/x-ms-wmv", "video/x-flv",
    ];

    public static readonly TheoryData<string> SeedList = new(SeedTypes);

    [Fact]
    public void Supported_should_be_exactly_the_seed_list()
    {
        var seed = SeedTypes.ToHashSet(StringComparer.Ordinal);

        Assert.Equal(44, seed.Count);
        Assert.True(seed.SetEquals(MediaContentTypes.Supported));
        Assert.All(MediaContentTypes.Supported, type => Assert.Equal(type.ToLowerInvariant(), type));
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void TryParse_should_accept_every_supported_type(string type)
    {
        Assert.True(MediaContentType.TryParse(type, out var contentType));
        Assert.Equal(type, contentType.MimeType);
        Assert.Equal(type, contentType.Value);
        Assert.Equal(type, contentType.ToString());
    }

    [Theory]
    [MemberData(nameof(SeedList))]
    public void TryParse_should_accept_every_supported_type_in_upper_case_and_give_it_in_lower_case(string type)
    {
        Assert.True(MediaContentType.TryParse(type.ToUpperInvariant(), out var contentType));
        Assert.Equal(type, contentType.MimeType);
        Assert.Equal(type.ToUpperInvariant(), contentType.Value);
    }

    [Theory]
    [InlineData("text/plain; charset=utf-8", "text/plain")]
    [InlineData("text/plain;charset=\"UTF-8\"", "text/plain")]
    [InlineData("Text/Plain; Charset=UTF-8; format=flowed", "text/plain")]
    [InlineData("image/png; name=\"a b.png\"", "image/png")]
    [InlineData("image/png;", "image/png")]
    [InlineData(" image/png ", "image/png")]
    [InlineData("image/png (a comment)", "image/png")]
    [InlineData("IMAGE/SVG+XML", "image/svg+xml")]
    [InlineData("application/smil; charset=us-ascii", "application/smil")]
    public void TryParse_should_accept_parameters_whitespace_and_any_case(string text, string mimeType)
    {
        Assert.True(MediaContentType.TryParse(text, out var contentType));
        Assert.Equal(mimeType, contentType.MimeType);
        Assert.Equal(text, contentType.Value);
    }

    [Theory]
    [InlineData("application/octet-stream")]
    [InlineData("application/javascript")] // the seed lists text/javascript only
    [InlineData("image/jpg")]              // not a registered type; the seed lists image/jpeg
    [InlineData("image/heic")]
    [InlineData("image/svg")]
    [InlineData("audio/x-wav")]
    [InlineData("audio/aac")]
    [InlineData("video/3gpp")]             // audio/3gpp is listed, video/3gpp is not
    [InlineData("text/calendar")]
    [InlineData("multipart/mixed")]
    [InlineData("image/*")]
    [InlineData("*/*")]
    [InlineData("x-image/png")]
    public void TryParse_should_refuse_a_type_the_seed_does_not_list(string text)
    {
        Assert.False(MediaContentType.TryParse(text, out var contentType));
        Assert.Equal(default, contentType);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("png")]
    [InlineData("image")]
    [InlineData("image/")]
    [InlineData("/png")]
    [InlineData("image/png garbage")]
    [InlineData("image/png, text/plain")]
    [InlineData("image/png; =x")]
    [InlineData("image/png; charset")]
    [InlineData("image/png/x")]
    public void TryParse_should_refuse_what_is_not_a_content_type(string text)
    {
        Assert.False(MediaContentType.TryParse(text, out _));
    }

    [Theory]
    [InlineData("image/png\r\n")]
    [InlineData("image/png\r\nX-Injected: 1")]
    [InlineData("image/png\n")]
    [InlineData("image/png\t")]
    [InlineData("image/png\0")]
    [InlineData("image/png\u007f")]
    [InlineData("image/png; name=\"é.png\"")]
    [InlineData("image/pngé")]
    [InlineData("ｉmage/png")]
    public void TryParse_should_refuse_control_and_non_ascii_characters_so_the_value_cannot_break_a_header(string text)
    {
        Assert.False(MediaContentType.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_should_accept_256_characters_and_refuse_257()
    {
        var atLimit = "text/plain; name=" + new string('a', MediaContentType.MaxLength - "text/plain; name=".Length);
        Assert.Equal(256, atLimit.Length);

        Assert.True(MediaContentType.TryParse(atLimit, out _));
        Assert.False(MediaContentType.TryParse(atLimit + "a", out _));
    }

    [Fact]
    public void TryParse_should_refuse_null()
    {
        Assert.False(MediaContentType.TryParse(null, out _));
    }

    [Fact]
    public void Validate_should_return_the_content_type()
    {
        var result = MediaContentType.Validate("media[0].contentType", "Image/PNG");

        Assert.True(result.IsOk);
        Assert.Equal("image/png", result.Value.MimeType);
        Assert.Equal("Image/PNG", result.Value.Value);
    }

    [Theory]
    [InlineData("image/heic")]
    [InlineData("image")]
    [InlineData("image/png\r\n")]
    [InlineData("")]
    public void Validate_should_refuse_an_unsupported_type_with_unsupported_content_type_and_the_415_kind(string text)
    {
        var result = MediaContentType.Validate("media[1].contentType", text);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.UnsupportedType, result.Error.Kind);
        Assert.Equal(ErrorCodes.UnsupportedContentType, result.Error.Code);
        Assert.Contains("'media[1].contentType'", result.Error.Message);
        Assert.Contains("image/png", result.Error.Message);
        Assert.Contains("video/x-flv", result.Error.Message);
    }

    [Fact]
    public void Validate_should_refuse_a_missing_content_type_with_missing_field()
    {
        var result = MediaContentType.Validate("media[0].contentType", null);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.MissingField, result.Error.Code);
    }

    [Fact]
    public void Parse_should_throw_a_FormatException_on_an_unsupported_type()
    {
        Assert.Throws<FormatException>(() => MediaContentType.Parse("image/heic"));
    }
}
