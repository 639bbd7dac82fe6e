using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Gateway.Domain.Messaging;
using Gateway.Northbound.MessageCopies;
using MimeKit;
using static Gateway.Northbound.Tests.MessageCopies.CopyPayloadSamples;

namespace Gateway.Northbound.Tests.MessageCopies;

public sealed class MessageCopyMm7Specs
{
    private const string Hex = "0191f4a2b8c37d5e9f0a1b2c3d4e5f60";

    private static readonly XNamespace Env = Mm7Message.SoapNamespace;
    private static readonly XNamespace Mm7 = Mm7Message.Mm7Namespace;
    private static readonly XNamespace Smil = Mm7Message.SmilNamespace;

    [Fact]
    public void Content_type_should_be_the_outer_multipart_on_one_line()
    {
        var mm7 = Mm7Message.Encode(GroupMms(MessageDirection.Mo));

        Assert.Equal($"multipart/related; boundary=\"---mime-outer-{Hex}\"; type=\"text/xml\"; start=\"<mm7-soap>\"", mm7.ContentType);
    }

    [Fact]
    public void Body_should_be_the_SOAP_envelope_then_the_content_with_the_SMIL_first_and_the_text_last()
    {
        var outer = Parse(Mm7Message.Encode(GroupMms(MessageDirection.Mo)));

        Assert.Equal(2, outer.Count);
        var soap = Assert.IsType<TextPart>(outer[0]);
        Assert.True(soap.ContentType.IsMimeType("text", "xml"));
        Assert.Equal("utf-8", soap.ContentType.Charset);
        Assert.Equal("mm7-soap", soap.ContentId);
        Assert.Same(soap, outer.Root);
        var content = Assert.IsType<MultipartRelated>(outer[1]);
        Assert.Equal("smil", content.Root?.ContentId);
        Assert.Equal("mms-content", content.ContentId);
        Assert.Equal("application/smil", content.ContentType.Parameters["type"]);
        Assert.Equal("<smil>", content.ContentType.Parameters["start"]);
        Assert.Equal($"---mime-content-{Hex}", content.Boundary);

        Assert.Equal(
            ["smil", "image000000.png", "photo.jpg", "text000002.txt"],
            content.Select(part => part.ContentId));
        Assert.True(content[0].ContentType.IsMimeType("application", "smil"));
        Assert.All(content, part => Assert.Null(part.ContentDisposition));
    }

    [Fact]
    public void Pictures_should_be_base64_with_their_name_and_decode_to_their_bytes()
    {
        var content = (Multipart)Parse(Mm7Message.Encode(GroupMms(MessageDirection.Mo)))[1];

        foreach (var (part, type, name, bytes) in new[] { (content[1], "image/png", "image000000.png", Png), (content[2], "image/jpeg", "photo.jpg", Jpeg) })
        {
            var picture = Assert.IsType<MimePart>(part);
            Assert.Equal(type, picture.ContentType.MimeType);
            Assert.Equal(ContentEncoding.Base64, picture.ContentTransferEncoding);
            Assert.Equal(name, picture.ContentType.Name);
            Assert.Equal(name, picture.ContentLocation?.OriginalString);
            Assert.Equal(name, picture.ContentId);
            Assert.Equal(bytes, Decoded(picture));
        }
    }

    [Fact]
    public void Text_should_decode_to_the_typed_text()
    {
        var content = (Multipart)Parse(Mm7Message.Encode(GroupMms(MessageDirection.Mo)))[1];

        var text = Assert.IsType<TextPart>(content[^1]);
        Assert.True(text.IsPlain);
        Assert.Equal("utf-8", text.ContentType.Charset);
        Assert.Equal(ContentEncoding.QuotedPrintable, text.ContentTransferEncoding);
        Assert.Equal(TypedText, text.Text);
    }

    [Theory]
    [InlineData("Plain ASCII, with (commas) and $5", ContentEncoding.SevenBit)]
    [InlineData("Café, 😀", ContentEncoding.QuotedPrintable)]
    [InlineData("first line\nsecond line", ContentEncoding.SevenBit)]
    public void Text_should_be_7bit_when_it_is_ASCII_and_quoted_printable_otherwise(string typed, ContentEncoding expected)
    {
        var content = (Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, typed, [Other])))[1];

        var text = Assert.IsType<TextPart>(content[^1]);
        Assert.Equal(expected, text.ContentTransferEncoding);
        Assert.Equal(typed.ReplaceLineEndings("\r\n"), Encoding.UTF8.GetString(Decoded(text)));
    }

    [Fact]
    public void Text_with_a_line_longer_than_998_characters_should_be_quoted_printable()
    {
        var typed = new string('a', 1200);

        var text = (TextPart)((Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, typed, [Other])))[1])[^1];

        Assert.Equal(ContentEncoding.QuotedPrintable, text.ContentTransferEncoding);
        Assert.Equal(typed, text.Text);
    }

    [Fact]
    public void Origination_should_be_a_DeliverReq_from_the_subscriber_to_every_recipient()
    {
        var soap = Soap(Mm7Message.Encode(GroupMms(MessageDirection.Mo)));

        var transaction = soap.Root!.Element(Env + "Header")!.Element(Mm7 + "TransactionID")!;
        Assert.Equal(Id, transaction.Value);
        Assert.Equal("1", transaction.Attribute(Env + "mustUnderstand")!.Value);
        var request = Assert.Single(soap.Root.Element(Env + "Body")!.Elements());
        Assert.Equal(Mm7 + "DeliverReq", request.Name);
        Assert.Equal(["MM7Version", "Sender", "Recipients", "TimeStamp", "Content"], request.Elements().Select(e => e.Name.LocalName));
        Assert.Equal("5.3.0", request.Element(Mm7 + "MM7Version")!.Value);
        Assert.Equal(Mobile, request.Element(Mm7 + "Sender")!.Element(Mm7 + "Number")!.Value);
        Assert.Equal(GroupRecipients, Recipients(request));
        Assert.Equal("2024-09-16T19:30:39.090Z", request.Element(Mm7 + "TimeStamp")!.Value);
        var reference = request.Element(Mm7 + "Content")!;
        Assert.Equal("cid:mms-content", reference.Attribute("href")!.Value);
        Assert.Equal("true", reference.Attribute("allowAdaptations")!.Value);
    }

    [Fact]
    public void Termination_should_be_a_SubmitReq_from_the_sender_to_every_recipient()
    {
        var soap = Soap(Mm7Message.Encode(GroupMms(MessageDirection.Mt)));

        var request = Assert.Single(soap.Root!.Element(Env + "Body")!.Elements());
        Assert.Equal(Mm7 + "SubmitReq", request.Name);
        Assert.Equal(["MM7Version", "SenderIdentification", "Recipients", "TimeStamp", "Content"], request.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(GroupRecipients[0], request.Element(Mm7 + "SenderIdentification")!.Element(Mm7 + "SenderAddress")!.Element(Mm7 + "Number")!.Value);
        Assert.Equal([Mobile, GroupRecipients[1], GroupRecipients[2]], Recipients(request));
    }

    [Theory]
    [InlineData("Acme Bank")]
    [InlineData("12345")]
    public void Sender_that_is_not_an_E164_number_should_be_a_ShortCode(string sender)
    {
        var copy = Copy(MessageDirection.Mt, SeedTime, new MessageContent(MessageType.Mms, sender, [Mobile], Mobile, "hi", []));

        var address = Assert.Single(Soap(Mm7Message.Encode(copy)).Descendants(Mm7 + "SenderAddress").Elements());

        Assert.Equal(Mm7 + "ShortCode", address.Name);
        Assert.Equal(sender, address.Value);
    }

    [Fact]
    public void Subject_should_come_after_the_time_stamp_and_read_back_whole()
    {
        const string subject = "Re: dinner, (8pm) $40 — ok? 😀";

        var request = Soap(Mm7Message.Encode(GroupMms(MessageDirection.Mo), subject)).Root!.Element(Env + "Body")!.Elements().Single();

        Assert.Equal(["MM7Version", "Sender", "Recipients", "TimeStamp", "Subject", "Content"], request.Elements().Select(e => e.Name.LocalName));
        Assert.Equal(subject, request.Element(Mm7 + "Subject")!.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void No_subject_should_leave_the_Subject_out(string? subject) =>
        Assert.Empty(Soap(Mm7Message.Encode(GroupMms(MessageDirection.Mo), subject)).Descendants(Mm7 + "Subject"));

    [Fact]
    public void Subject_should_lose_only_what_XML_cannot_hold()
    {
        var request = Soap(Mm7Message.Encode(GroupMms(MessageDirection.Mo), "a\u0001b\ud800c\ud83d\ude00"));

        Assert.Equal("abc\ud83d\ude00", request.Descendants(Mm7 + "Subject").Single().Value);
    }

    /// <summary>
    /// The recipe keeps the <c>message</c> value up to its first <c>,</c> <c>(</c> <c>)</c> or <c>$</c>: all
    /// of that must come after the last base64 part, here in the typed text, and nowhere in the SOAP part
    /// even when the subject has them.
    /// </summary>
    [Fact]
    public void Nothing_before_the_text_should_hold_what_stops_the_recipe()
    {
        var body = Mm7Message.Encode(GroupMms(MessageDirection.Mo), "Re: dinner, (8pm) $40 — ok? 😀").Body;

        var beforeText = body[..body.IndexOf("Content-Type: text/plain", StringComparison.Ordinal)];
        Assert.Contains("Content-Transfer-Encoding: base64", beforeText);
        Assert.DoesNotContain(beforeText, c => c is ',' or '(' or ')' or '$');
        Assert.Contains("&#44;", beforeText);
        Assert.Contains(',', body[beforeText.Length..]);
    }

    [Fact]
    public void Body_should_have_CRLF_line_ends_and_delimiters_the_recipe_splits_on()
    {
        var body = Mm7Message.Encode(GroupMms(MessageDirection.Mo)).Body;

        Assert.DoesNotContain('\n', body.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', body.Replace("\r\n", "", StringComparison.Ordinal));
        Assert.StartsWith($"-----mime-outer-{Hex}\r\n", body);
        Assert.EndsWith($"\r\n-----mime-content-{Hex}--\r\n\r\n-----mime-outer-{Hex}--\r\n", body);
        var delimiters = body.Split("\r\n").Where(line => line.Contains("-----mime-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(
            [$"-----mime-outer-{Hex}", $"-----mime-outer-{Hex}", .. Enumerable.Repeat($"-----mime-content-{Hex}", 4), $"-----mime-content-{Hex}--", $"-----mime-outer-{Hex}--"],
            delimiters);
    }

    /// <summary>As the recipe reads parts: split on delimiter lines, one <c>name="</c> in each base64 part.</summary>
    [Fact]
    public void Headers_should_be_neither_folded_nor_split_and_each_base64_part_should_name_one_file()
    {
        var body = Mm7Message.Encode(Mms(MessageDirection.Mo, TypedText, GroupRecipients,
            new MediaItem("image/png", new string('n', 60) + ".png", Png),
            new MediaItem("text/x-vcard; charset=utf-8", null, "BEGIN:VCARD\r\nEND:VCARD\r\n"u8.ToArray()))).Body;

        Assert.DoesNotContain("\r\n\t", body);
        Assert.DoesNotMatch(@"\w\*(\d+\*?)?=", body);
        Assert.DoesNotContain("Content-Disposition", body);
        var parts = Regex.Split(body, "^(?=.*-----mime-)", RegexOptions.Multiline);
        var base64 = parts.Where(part => part.Contains("Content-Transfer-Encoding: base64", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, base64.Length);
        Assert.All(base64, part => Assert.Single(Regex.Matches(part, "name=\"")));
        Assert.Contains($"Content-Type: image/png; name=\"{new string('n', 60)}.png\"\r\n", body);
        Assert.Contains("Content-Type: text/x-vcard; charset=\"utf-8\"; name=\"text000001.vcf\"\r\n", body);
    }

    [Theory]
    [InlineData("image/png", null, "image000000.png")]
    [InlineData("IMAGE/JPEG; foo=\"a,b\"", null, "image000000.jpg")]
    [InlineData("image/gif", null, "image000000.gif")]
    [InlineData("image/svg+xml", null, "image000000.svg")]
    [InlineData("audio/mpeg", null, "audio000000.mp3")]
    [InlineData("audio/amr", null, "audio000000.amr")]
    [InlineData("video/mpeg", null, "video000000.mpg")]
    [InlineData("video/quicktime", null, "video000000.mov")]
    [InlineData("video/x-flv", null, "video000000.flv")]
    [InlineData("text/vcard", null, "text000000.vcf")]
    [InlineData("text/x-vcard", null, "text000000.vcf")]
    [InlineData("application/pdf", null, "other000000.pdf")]
    [InlineData("application/x-tar", null, "other000000.tar")]
    [InlineData("image/pn$g", null, "other000000.bin")]
    [InlineData("not a content type", null, "other000000.bin")]
    [InlineData("image/png", "holiday-photo_1.PNG", "holiday-photo_1.PNG")]
    [InlineData("image/png", "my photo.png", "image000000.png")]
    [InlineData("image/png", "a,b.png", "image000000.png")]
    [InlineData("image/png", "photo(1).png", "image000000.png")]
    [InlineData("image/png", "../photo.png", "image000000.png")]
    [InlineData("image/png", "фото.png", "image000000.png")]
    [InlineData("image/png", "", "image000000.png")]
    public void Item_should_keep_a_safe_file_name_or_get_one_from_its_type(string contentType, string? fileName, string expected)
    {
        var content = (Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, null, [Other], new MediaItem(contentType, fileName, Png))))[1];

        var item = Assert.IsAssignableFrom<MimePart>(content[1]);
        Assert.Equal(expected, item.ContentType.Name);
        Assert.Equal(ContentEncoding.Base64, item.ContentTransferEncoding);
        Assert.Equal(Png, Decoded(item));
    }

    [Fact]
    public void File_name_of_64_characters_should_be_kept_and_of_65_replaced()
    {
        var kept = new string('k', 60) + ".png";
        var tooLong = new string('l', 61) + ".png";

        var content = (Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, null, [Other],
            new MediaItem("image/png", kept, Png), new MediaItem("image/png", tooLong, Png))))[1];

        Assert.Equal([kept, "image000001.png"], content.Skip(1).Select(part => part.ContentType.Name));
    }

    [Fact]
    public void Names_should_be_unique_ignoring_case()
    {
        var content = (Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, "hi", [Other],
            new MediaItem("image/png", null, Png),
            new MediaItem("image/png", "IMAGE000000.png", Png),
            new MediaItem("image/jpeg", "a.jpg", Jpeg),
            new MediaItem("image/jpeg", "a.jpg", Jpeg))))[1];

        Assert.Equal(
            ["image000000.png", "image000001.png", "a.jpg", "image000003.jpg", "text000004.txt"],
            content.Skip(1).Select(part => part.ContentId));
    }

    [Fact]
    public void Plain_text_items_should_follow_every_other_item()
    {
        var content = (Multipart)Parse(Mm7Message.Encode(Mms(MessageDirection.Mo, "typed", [Other],
            new MediaItem("text/plain; charset=utf-8", "note.txt", "a note, with a comma"u8.ToArray()),
            new MediaItem("image/png", null, Png),
            new MediaItem("audio/mpeg", null, Png))))[1];

        Assert.Equal(["smil", "image000001.png", "audio000002.mp3", "note.txt", "text000003.txt"], content.Select(part => part.ContentId));
        var note = Assert.IsType<TextPart>(content[3]);
        Assert.Equal(ContentEncoding.SevenBit, note.ContentTransferEncoding);
        Assert.Equal("a note, with a comma", note.Text);
    }

    [Fact]
    public void Smil_should_show_each_picture_on_its_own_slide_and_the_text_beside_the_first()
    {
        var (smil, content) = SmilOf(GroupMms(MessageDirection.Mo));

        var regions = smil.Descendants(Smil + "region").ToDictionary(r => r.Attribute("id")!.Value);
        Assert.Equal(["Image", "Text"], regions.Keys);
        Assert.Single(smil.Descendants(Smil + "root-layout"));
        Assert.Equal(
            [["img cid:image000000.png Image", "text cid:text000002.txt Text"], ["img cid:photo.jpg Image"]],
            Slides(smil));
        var ids = content.Select(part => "cid:" + part.ContentId).ToHashSet();
        Assert.All(smil.Descendants().Attributes("src"), src => Assert.Contains(src.Value, ids));
    }

    [Fact]
    public void Smil_should_start_a_slide_when_the_current_one_already_shows_that_kind()
    {
        var (smil, _) = SmilOf(Mms(MessageDirection.Mo, "caption", [Other],
            new MediaItem("image/gif", null, Png),
            new MediaItem("audio/amr", null, Png),
            new MediaItem("video/mp4", null, Png),
            new MediaItem("text/vcard", null, Png)));

        Assert.Equal(
            [
                ["img cid:image000000.gif Image", "audio cid:audio000001.amr", "text cid:text000004.txt Text"],
                ["video cid:video000002.mp4 Image", "ref cid:text000003.vcf"],
            ],
            Slides(smil));
    }

    [Fact]
    public void Text_only_mms_should_have_one_slide_and_one_part_besides_the_SMIL()
    {
        var (smil, content) = SmilOf(Mms(MessageDirection.Mo, "just text", [Other]));

        Assert.Equal([["text cid:text000000.txt Text"]], Slides(smil));
        Assert.Equal(["smil", "text000000.txt"], content.Select(part => part.ContentId));
    }

    [Fact]
    public void Same_copy_should_render_the_same_text_and_another_message_other_boundaries()
    {
        var copy = GroupMms(MessageDirection.Mo);
        var other = copy with { MessageId = MessageId.Parse("msg_0191f4a2b8c37d5e9f0a1b2c3d4e5f61") };

        Assert.Equal(Mm7Message.Encode(copy), Mm7Message.Encode(copy));
        Assert.Equal(SmsEventJson.Render(copy), SmsEventJson.Render(copy));
        Assert.Contains("---mime-outer-0191f4a2b8c37d5e9f0a1b2c3d4e5f61", Mm7Message.Encode(other).ContentType);
    }

    [Fact]
    public void Mms_copy_should_carry_the_MM7_text_and_its_content_type()
    {
        var copy = GroupMms(MessageDirection.Mo);
        var mm7 = Mm7Message.Encode(copy);

        using var body = JsonDocument.Parse(SmsEventJson.Render(copy));
        var smsEvent = MessageCopyJsonSpecs.Event(body);

        Assert.Equal("mms", smsEvent.GetProperty("messageType").GetString());
        Assert.Equal(mm7.Body, smsEvent.GetProperty("message").GetString());
        Assert.Equal(mm7.ContentType, smsEvent.GetProperty("messageContentType").GetString());
    }

    [Fact]
    public void Group_mms_other_party_should_be_the_first_recipient_for_mo_and_the_sender_for_mt()
    {
        var mo = GroupMms(MessageDirection.Mo);
        var mt = Copy(MessageDirection.Mt, SeedTime,
            new MessageContent(MessageType.Mms, "+14155550999", [Mobile, "+12145555273", "+13125550000"], Mobile, TypedText, []));

        Assert.Equal("12145555273", OtherParty(mo));
        Assert.Equal("14155550999", OtherParty(mt));
        Assert.Equal(["+12145555273", "+13125550000", "+14155550123"], Recipients(Soap(Mm7Message.Encode(mo)).Descendants(Mm7 + "DeliverReq").Single()));
        Assert.Equal([Mobile, "+12145555273", "+13125550000"], Recipients(Soap(Mm7Message.Encode(mt)).Descendants(Mm7 + "SubmitReq").Single()));
    }

    private static MultipartRelated Parse(Mm7Encoded mm7)
    {
        var text = Encoding.UTF8.GetBytes($"Content-Type: {mm7.ContentType}\r\n\r\n{mm7.Body}");
        return Assert.IsType<MultipartRelated>(MimeEntity.Load(new MemoryStream(text)));
    }

    private static byte[] Decoded(MimePart part)
    {
        using var bytes = new MemoryStream();
        Assert.NotNull(part.Content);
        part.Content.DecodeTo(bytes);
        return bytes.ToArray();
    }

    private static XDocument Soap(Mm7Encoded mm7) => XDocument.Parse(Assert.IsType<TextPart>(Parse(mm7)[0]).Text);

    private static string[] Recipients(XElement request) =>
        request.Element(Mm7 + "Recipients")!.Elements(Mm7 + "To").Select(to => Assert.Single(to.Elements()).Value).ToArray();

    private static (XDocument Smil, Multipart Content) SmilOf(MessageCopy copy)
    {
        var content = (Multipart)Parse(Mm7Message.Encode(copy))[1];
        return (XDocument.Parse(Encoding.UTF8.GetString(Decoded((MimePart)content[0]))), content);
    }

    /// <summary>Each <c>par</c> as "element src region" lines.</summary>
    private static string[][] Slides(XDocument smil) =>
        smil.Descendants(Smil + "par")
            .Select(par => par.Elements()
                .Select(e => string.Join(' ', new[] { e.Name.LocalName, e.Attribute("src")?.Value, e.Attribute("region")?.Value }.OfType<string>()))
                .ToArray())
            .ToArray();

    private static string? OtherParty(MessageCopy copy)
    {
        using var body = JsonDocument.Parse(SmsEventJson.Render(copy));
        return MessageCopyJsonSpecs.Event(body).GetProperty("otherParty").GetProperty("number").GetString();
    }
}
