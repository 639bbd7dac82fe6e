using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Errors;
using Gateway.Domain.Media;

namespace Gateway.Domain.Tests.Media;

public class MediaDecoderSpecs
{
    private const long Megabyte = 1_048_576;

    private static MediaBudget NewBudget() => new(Megabyte);

    private static string Base64Of(int size, Base64FormattingOptions options = Base64FormattingOptions.None) =>
        Convert.ToBase64String(Enumerable.Range(0, size).Select(i => (byte)(i * 7)).ToArray(), options);

    [Theory]
    [InlineData("QQ==", "A")]
    [InlineData("QUI=", "AB")]
    [InlineData("QUJD", "ABC")]
    [InlineData("QUJDRA==", "ABCD")]
    [InlineData("SGVsbG8sIHdvcmxkIQ==", "Hello, world!")]
    [InlineData("8J+YgA==", "😀")]
    public void Decode_should_give_the_bytes_of_standard_base64(string content, string text)
    {
        var result = MediaDecoder.Decode("media[0].content", content, NewBudget());

        Assert.True(result.IsOk);
        Assert.Equal(Encoding.UTF8.GetBytes(text), result.Value);
    }

    [Theory]
    [InlineData("QUJD\r\nREVG")]
    [InlineData("QUJD\nREVG")]
    [InlineData(" QUJD REVG ")]
    [InlineData("\tQUJD\tREVG\t")]
    [InlineData("Q U J D R E V G")]
    [InlineData("QUJDREVG\r\n")]
    public void Decode_should_ignore_spaces_tabs_cr_and_lf_anywhere(string content)
    {
        var result = MediaDecoder.Decode("media[0].content", content, NewBudget());

        Assert.True(result.IsOk);
        Assert.Equal("ABCDEF"u8.ToArray(), result.Value);
    }

    [Theory]
    [InlineData("QQ= =")]
    [InlineData("QQ=\r\n=")]
    [InlineData("Q\r\nQ=\r\n=\r\n")]
    public void Decode_should_ignore_whitespace_inside_the_padding_as_Convert_does(string content)
    {
        var result = MediaDecoder.Decode("media[0].content", content, NewBudget());

        Assert.True(result.IsOk);
        Assert.Equal("A"u8.ToArray(), result.Value);
    }

    [Fact]
    public void Decode_should_accept_mime_wrapped_base64_of_76_character_lines()
    {
        var wrapped = Base64Of(100_000, Base64FormattingOptions.InsertLineBreaks);
        Assert.Contains("\r\n", wrapped);

        var result = MediaDecoder.Decode("media[0].content", wrapped, NewBudget());

        Assert.True(result.IsOk);
        Assert.Equal(Convert.FromBase64String(wrapped), result.Value);
    }

    [Theory]
    [InlineData("QUJ-")]          // base64url is not base64
    [InlineData("QUJ_")]
    [InlineData("QUJD!")]
    [InlineData("QUJ.")]
    [InlineData("QUJé")]
    [InlineData("QUJD\vREVG")]    // vertical tab: not one of the ignored whitespace characters
    [InlineData("QUJD\u00a0")]    // no-break space
    [InlineData("QUJD\0")]
    [InlineData("ＱUJD")]         // full-width letter
    [InlineData("data:image/png;base64,QUJD")]
    public void Decode_should_refuse_characters_outside_the_base64_alphabet(string content)
    {
        AssertInvalidBase64(content);
    }

    [Theory]
    [InlineData("Q===")]          // three padding characters
    [InlineData("QUJD====")]
    [InlineData("====")]
    [InlineData("=QUJ")]          // padding first
    [InlineData("QU=D")]          // padding in the middle
    [InlineData("QQ==QQ==")]      // two padded blocks glued together
    [InlineData("QQ==Q")]
    public void Decode_should_refuse_bad_padding(string content)
    {
        AssertInvalidBase64(content);
    }

    [Theory]
    [InlineData("Q")]
    [InlineData("QQ")]            // unpadded
    [InlineData("QUI")]
    [InlineData("QQ=")]
    [InlineData("QUJDR")]
    [InlineData("QUJDREVGS")]
    public void Decode_should_refuse_a_length_that_is_not_a_multiple_of_4(string content)
    {
        AssertInvalidBase64(content);
    }

    private static void AssertInvalidBase64(string content)
    {
        var budget = NewBudget();

        var result = MediaDecoder.Decode("media[0].content", content, budget);

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.InvalidBase64, result.Error.Code);
        Assert.Contains("'media[0].content'", result.Error.Message);
        Assert.Equal(0, budget.UsedBytes);
        Assert.Throws<FormatException>(() => Convert.FromBase64String(content)); // the same verdict as .NET's decoder
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\r\n")]
    [InlineData(" \t\r\n ")]
    public void Decode_should_refuse_empty_content_with_empty_media(string content)
    {
        var result = MediaDecoder.Decode("media[2].content", content, NewBudget());

        Assert.False(result.IsOk);
        Assert.Equal(ErrorKind.Invalid, result.Error.Kind);
        Assert.Equal(ErrorCodes.EmptyMedia, result.Error.Code);
        Assert.Contains("'media[2].content'", result.Error.Message);
    }

    [Fact]
    public void Decode_should_refuse_missing_content_with_missing_field()
    {
        var result = MediaDecoder.Decode("media[0].content", null, NewBudget());

        Assert.False(result.IsOk);
        Assert.Equal(ErrorCodes.MissingField, result.Error.Code);
    }

    [Theory]
    [InlineData(1_048_576, true)]
    [InlineData(1_048_575, true)]
    [InlineData(1_048_577, false)]
    [InlineData(1_048_578, false)]
    [InlineData(1_048_579, false)]
    public void Decode_should_allow_one_item_of_at_most_the_limit(int size, bool accepted)
    {
        var budget = NewBudget();

        var result = MediaDecoder.Decode("media[0].content", Base64Of(size), budget);

        Assert.Equal(accepted, result.IsOk);
        if (accepted)
            Assert.Equal(size, result.Value!.Length);
        else
            Assert.Equal(ErrorCodes.MediaTooLarge, result.Error!.Code);
    }

    [Theory]
    [InlineData(524_288, 524_288)]
    [InlineData(1_000_000, 48_576)]
    [InlineData(1, 1_048_575)]
    [InlineData(1_048_575, 1)]
    public void Decode_should_accept_two_items_of_exactly_the_limit_together(int first, int second)
    {
        var budget = NewBudget();

        var a = MediaDecoder.Decode("media[0].content", Base64Of(first), budget);
        var b = MediaDecoder.Decode("media[1].content", Base64Of(second), budget);

        Assert.True(a.IsOk);
        Assert.True(b.IsOk);
        Assert.Equal(first, a.Value.Length);
        Assert.Equal(second, b.Value.Length);
        Assert.Equal(0, budget.RemainingBytes);
    }

    [Theory]
    [InlineData(524_288, 524_289)]
    [InlineData(1_000_000, 48_577)]
    [InlineData(1_048_576, 1)]
    [InlineData(2, 1_048_575)]
    public void Decode_should_refuse_two_items_one_byte_over_the_limit_together_with_media_too_large(int first, int second)
    {
        var budget = NewBudget();

        var a = MediaDecoder.Decode("media[0].content", Base64Of(first), budget);
        var b = MediaDecoder.Decode("media[1].content", Base64Of(second), budget);

        Assert.True(a.IsOk);
        Assert.False(b.IsOk);
        Assert.Equal(ErrorKind.TooLarge, b.Error.Kind);
        Assert.Equal(ErrorCodes.MediaTooLarge, b.Error.Code);
        Assert.Contains("'media[1].content'", b.Error.Message);
        Assert.Contains($"decodes to {second} bytes", b.Error.Message);
        Assert.Contains("1048576", b.Error.Message);
        Assert.Equal(first, budget.UsedBytes); // the refused item took nothing
    }

    [Fact]
    public void Decode_should_count_padding_so_that_a_padded_item_of_exactly_the_limit_fits()
    {
        // 1,048,576 = 3 * 349,525 + 1: the last block is "xx==".
        var content = Base64Of(1_048_576);
        Assert.EndsWith("==", content);

        Assert.True(MediaDecoder.Decode("media[0].content", content, NewBudget()).IsOk);
    }

    [Fact]
    public void Decode_should_use_the_limit_the_caller_passes()
    {
        var budget = new MediaBudget(3);

        Assert.True(MediaDecoder.Decode("media[0].content", "QUJD", budget).IsOk);
        Assert.Equal(ErrorCodes.MediaTooLarge, MediaDecoder.Decode("media[1].content", "QQ==", budget).Error?.Code);
    }

    [Fact]
    public void Decode_should_refuse_huge_content_from_its_length_without_allocating_the_decoded_bytes()
    {
        var huge = new string('A', 64 * 1024 * 1024); // would decode to 48 MB
        var budget = NewBudget();
        MediaDecoder.Decode("warm-up", "QUJD", new MediaBudget(3)); // JIT the code path before measuring

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = MediaDecoder.Decode("media[0].content", huge, budget);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.False(result.IsOk);
        Assert.Equal(ErrorCodes.MediaTooLarge, result.Error.Code);
        Assert.True(allocated < 16 * 1024, $"refusing the content allocated {allocated} bytes");
        Assert.Equal(0, budget.UsedBytes);
    }

    [Fact]
    public void Decode_should_allocate_about_the_decoded_size_once_for_accepted_content()
    {
        var content = Base64Of(1_000_000, Base64FormattingOptions.InsertLineBreaks);
        MediaDecoder.Decode("warm-up", "QUJD", new MediaBudget(3));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = MediaDecoder.Decode("media[0].content", content, NewBudget());
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(result.IsOk);
        Assert.InRange(allocated, 1_000_000, 1_000_000 + 16 * 1024);
    }

    // Strings of base64 letters, padding, whitespace and a few strangers, to compare with .NET's decoder.
    private static readonly Gen<string> NearBase64 =
        Gen.Frequency(
            (12, Gen.Elements('A', 'Q', 'z', '0', '+', '/')),
            (3, Gen.Constant('=')),
            (2, Gen.Elements(' ', '\r', '\n', '\t')),
            (1, Gen.Elements('-', '_', '\v', 'é', '\0'))).ArrayOf()
        .Select(chars => new string(chars));

    [Property(MaxTest = 3000)]
    public Property Decode_should_agree_with_Convert_FromBase64String_on_any_non_empty_text() =>
        Prop.ForAll(NearBase64.ToArbitrary(), content =>
        {
            byte[]? expected;
            try { expected = Convert.FromBase64String(content); }
            catch (FormatException) { expected = null; }

            var result = MediaDecoder.Decode("media[0].content", content, NewBudget());

            if (expected is { Length: > 0 })
                Assert.Equal(expected, result.Value);
            else if (expected is null)
                Assert.Equal(ErrorCodes.InvalidBase64, result.Error?.Code);
            else
                Assert.Equal(ErrorCodes.EmptyMedia, result.Error?.Code);
        });

    [Property(MaxTest = 300)]
    public Property Decode_should_give_back_any_bytes_encoded_with_or_without_line_breaks() =>
        Prop.ForAll(ArbMap.Default.ArbFor<byte[]>(), Arb.From(Gen.Elements(Base64FormattingOptions.None, Base64FormattingOptions.InsertLineBreaks)),
            (bytes, options) =>
            {
                var result = MediaDecoder.Decode("media[0].content", Convert.ToBase64String(bytes, options), NewBudget());

                if (bytes.Length == 0)
                    Assert.Equal(ErrorCodes.EmptyMedia, result.Error?.Code);
                else
                    Assert.Equal(bytes, result.Value);
            });
}
