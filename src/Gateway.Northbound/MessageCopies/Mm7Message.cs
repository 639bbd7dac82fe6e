using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using MimeKit;

namespace Gateway.Northbound.MessageCopies;

/// <summary>
/// An MMS as MM7 text: <paramref name="Body"/> is the multipart content (from the first delimiter line to
/// the closing one, CRLF line ends) and <paramref name="ContentType"/> its <c>multipart/related</c> type,
/// boundary included, on one line. They are a Message Copy's <c>message</c> and <c>messageContentType</c>.
/// </summary>
public sealed record Mm7Encoded(string Body, string ContentType);

/// <summary>
/// Writes an MMS the way the seed says Message Copy carries it: as the 3GPP MM7 message (TS 23.140,
/// schema REL-5-MM7-1-2, MM7Version 5.3.0) an MMSC and a VASP exchange for it.
/// <code>
/// multipart/related; type="text/xml"; start="&lt;mm7-soap&gt;"
/// +- text/xml              &lt;mm7-soap&gt;      SOAP envelope: DeliverReq (mo) or SubmitReq (mt)
/// +- multipart/related; type="application/smil"; start="&lt;smil&gt;"            &lt;mms-content&gt;
///    +- application/smil   &lt;smil&gt;          SMIL 2.0: one par per slide, items referenced by cid:
///    +- image/png; name="…"  base64        every item but text/plain, in the message's order
///    +- text/plain         7bit or QP      any text/plain item, then the typed text, always last
/// </code>
/// </summary>
/// <remarks>
/// Partners read this text with the seed's bash recipe, which is stricter than MIME; each rule below keeps
/// it working and none makes the MIME unusual:
/// <list type="bullet">
/// <item>The recipe keeps the <c>message</c> value only up to its first <c>,</c> <c>(</c> <c>)</c> or
/// <c>$</c>, so nothing before the last base64 part may hold one: text/plain parts, where typed text
/// has commas, come after all others (the SMIL, not the MIME order, sets what is shown where), the
/// SOAP and SMIL documents write those characters as XML character references (<c>&amp;#44;</c>), and
/// item names are restricted to <c>[A-Za-z0-9._-]</c>.</item>
/// <item>It splits parts on lines holding <c>-----mime-</c>, so both boundaries start with <c>---mime-</c>;
/// they end with the message id's hex digits, so the same copy always renders the same text.</item>
/// <item>It takes a file's name from <c>name=\"…\"</c> and expects one per part, so every parameter is
/// quoted, no header is folded or RFC 2231-split (lines may reach 998 characters), and no part has a
/// <c>Content-Disposition</c> whose <c>filename</c> would be a second match.</item>
/// </list>
/// </remarks>
public static class Mm7Message
{
    /// <summary>The <c>MM7Version</c> the seed names: 3GPP MMS 5.3.0, schema REL-5-MM7-1-2.</summary>
    public const string Version = "5.3.0";
    public const string SoapNamespace = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Mm7Namespace = "http://www.3gpp.org/ftp/Specs/archive/23_series/23.140/schema/REL-5-MM7-1-2";
    public const string SmilNamespace = "http://www.w3.org/2001/SMIL20/Language";

    private const string SoapId = "mm7-soap";
    private const string ContentId = "mms-content";
    private const string SmilId = "smil";

    /// <summary>RFC 5322 and 2045 cap a line at 998 characters; a 7bit part must stay within it.</summary>
    private const int MaxLineLength = 998;

    private static readonly XNamespace Env = SoapNamespace;
    private static readonly XNamespace Mm7 = Mm7Namespace;
    private static readonly XNamespace Smil = SmilNamespace;

    private static readonly Regex KeptFileName = new("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant);
    private static readonly Regex CharsetToken = new("^[A-Za-z0-9._:+-]{1,40}$", RegexOptions.CultureInvariant);
    private static readonly Regex TypeToken = new("^[a-z0-9][a-z0-9.+-]{0,63}$", RegexOptions.CultureInvariant);

    private static readonly FormatOptions Format = CreateFormat();

    /// <summary>
    /// The MM7 text of <paramref name="copy"/>'s MMS. <paramref name="subject"/> becomes the SOAP
    /// <c>Subject</c> when it is neither null nor empty (messages carry none yet).
    /// </summary>
    public static Mm7Encoded Encode(MessageCopy copy, string? subject = null)
    {
        var (media, text) = ContentItems(copy.Content);
        var items = text is null ? media : [.. media, text];
        var hex = copy.MessageId.Value[(copy.MessageId.Value.IndexOf('_') + 1)..];

        var content = Related("---mime-content-" + hex, "application/smil", SmilId);
        Identify(content, ContentId);
        content.Add(XmlPart("application", "smil", SmilId, SmilDocument(media, text)));
        foreach (var item in items.Where(i => !i.IsPlainText).Concat(items.Where(i => i.IsPlainText)))
            content.Add(item.Part);

        var mm7 = Related("---mime-outer-" + hex, "text/xml", SoapId);
        mm7.Add(XmlPart("text", "xml", SoapId, SoapEnvelope(copy, subject)));
        mm7.Add(content);

        RewriteContentTypes(mm7);
        using var body = new MemoryStream();
        mm7.WriteTo(Format, body, contentOnly: true);
        return new Mm7Encoded(Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length), HeaderValue(mm7.ContentType));
    }

    private static FormatOptions CreateFormat()
    {
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        format.MaxLineLength = MaxLineLength;
        format.AlwaysQuoteParameterValues = true;
        return format;
    }

    /// <summary>
    /// MimeKit writes a header's text when the header is set, with its default options (parameters quoted
    /// only where MIME needs it, lines folded at 78 columns), whatever options the entity is later written
    /// with; so each Content-Type is written again here, with <see cref="Format"/>, once the tree is whole.
    /// </summary>
    private static void RewriteContentTypes(MimeEntity entity)
    {
        entity.Headers.First(header => header.Id == HeaderId.ContentType)
            .SetRawValue(Encoding.ASCII.GetBytes(" " + HeaderValue(entity.ContentType) + "\r\n"));
        if (entity is Multipart multipart)
        {
            foreach (var child in multipart)
                RewriteContentTypes(child);
        }
    }

    private static string HeaderValue(ContentType type)
    {
        var header = type.ToString(Format, Encoding.UTF8, encode: true);
        return header[(header.IndexOf(':') + 1)..].Trim();
    }

    private static Multipart Related(string boundary, string type, string start)
    {
        var related = new Multipart("related") { Boundary = boundary };
        related.ContentType.Parameters.Add("type", type);
        related.ContentType.Parameters.Add("start", "<" + start + ">");
        return related;
    }

    private static void Identify(MimeEntity entity, string id) => entity.Headers.Replace("Content-ID", "<" + id + ">");

    /// <summary>One content item: its MIME part and how the SMIL shows it (<c>img</c>, <c>text</c>, …).</summary>
    private sealed record ContentItem(string Name, string SmilElement, bool IsPlainText, MimePart Part);

    /// <summary>The media items in order and the text, if any, last; each named as <see cref="Name"/> says.</summary>
    private static (List<ContentItem> Media, ContentItem? Text) ContentItems(MessageContent content)
    {
        var media = new List<ContentItem>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in content.Media)
            media.Add(Item(ParseType(item.ContentType), item.FileName, item.Content, media.Count, names));
        if (string.IsNullOrEmpty(content.Text))
            return (media, null);
        var text = Encoding.UTF8.GetBytes(content.Text.ReplaceLineEndings("\r\n"));
        return (media, Item(new ContentType("text", "plain") { Charset = "utf-8" }, null, text, media.Count, names));
    }

    /// <summary>
    /// Only the type, the subtype and a plain charset are kept from an item's content type, in lowercase:
    /// any other parameter would be copied into a header before the base64 parts and could hold a <c>,</c>
    /// (so could an odd MIME token, which a type made of <c>[a-z0-9.+-]</c> cannot, hence the fallback).
    /// </summary>
    private static ContentType ParseType(string text)
    {
        if (!ContentType.TryParse(text, out var parsed)
            || !TypeToken.IsMatch(parsed.MediaType.ToLowerInvariant())
            || !TypeToken.IsMatch(parsed.MediaSubtype.ToLowerInvariant()))
            return new ContentType("application", "octet-stream");
        var type = new ContentType(parsed.MediaType.ToLowerInvariant(), parsed.MediaSubtype.ToLowerInvariant());
        if (parsed.Charset is { } charset && CharsetToken.IsMatch(charset))
            type.Charset = charset;
        return type;
    }

    /// <summary>
    /// A text/plain item is sent as text (7bit when it can be, quoted-printable otherwise), every other
    /// one as base64, all with the name as <c>name</c>, <c>Content-Location</c> and <c>Content-ID</c>.
    /// Text is in canonical form (RFC 2046 §4.1.1): its line breaks are CRLF, whatever it had before.
    /// </summary>
    private static ContentItem Item(ContentType type, string? fileName, byte[] bytes, int index, HashSet<string> names)
    {
        var isPlainText = type.IsMimeType("text", "plain");
        var name = Name(type, fileName, index, names);
        type.Name = name;
        var part = new MimePart(type)
        {
            Content = new MimeContent(new MemoryStream(bytes, writable: false)),
            ContentTransferEncoding = isPlainText ? TextEncoding(bytes) : ContentEncoding.Base64,
            ContentLocation = new Uri(name, UriKind.Relative),
        };
        Identify(part, name);
        var element = type.MediaType switch
        {
            "image" => "img",
            "audio" => "audio",
            "video" => "video",
            _ => isPlainText ? "text" : "ref",
        };
        return new ContentItem(name, element, isPlainText, part);
    }

    /// <summary>
    /// The item's own file name when it is 1 to 64 of <c>[A-Za-z0-9._-]</c> and not taken by an earlier
    /// item; otherwise one made of the item's type, its six-digit position and an extension
    /// (<c>image000000.png</c>, <c>audio000001.mp3</c>, <c>text000002.txt</c>), the next free position if
    /// that is taken. Names are unique, ignoring case, as the partner's files named after them must be.
    /// </summary>
    private static string Name(ContentType type, string? fileName, int index, HashSet<string> names)
    {
        if (fileName is not null && KeptFileName.IsMatch(fileName) && names.Add(fileName))
            return fileName;
        var prefix = type.MediaType is "image" or "audio" or "video" or "text" ? type.MediaType : "other";
        var extension = Extension(type.MediaType, type.MediaSubtype);
        string name;
        while (!names.Add(name = $"{prefix}{index.ToString("D6", CultureInfo.InvariantCulture)}.{extension}"))
            index++;
        return name;
    }

    private static string Extension(string mediaType, string subtype) => (mediaType, subtype) switch
    {
        (_, "jpeg" or "pjpeg") => "jpg",
        ("audio", "mpeg") => "mp3",
        ("video", "mpeg") => "mpg",
        (_, "vcard" or "x-vcard") => "vcf",
        (_, "plain") => "txt",
        (_, "svg+xml") => "svg",
        (_, "quicktime") => "mov",
        (_, "3gpp") => "3gp",
        (_, "javascript") => "js",
        (_, "vnd.wap.wml") => "wml",
        (_, "gzip" or "x-gzip") => "gz",
        (_, "x-bzip2") => "bz2",
        (_, "x-icon") => "ico",
        (_, "x-ms-wmv") => "wmv",
        ("application", "octet-stream") => "bin",
        _ => ExtensionFrom(subtype),
    };

    /// <summary>The subtype without an <c>x-</c> prefix, its letters and digits only, at most 8: <c>png</c>, <c>webp</c>, <c>flv</c>.</summary>
    private static string ExtensionFrom(string subtype)
    {
        var bare = subtype.StartsWith("x-", StringComparison.Ordinal) ? subtype[2..] : subtype;
        var letters = new string(bare.Where(char.IsAsciiLetterOrDigit).ToArray());
        return letters.Length == 0 ? "bin" : letters[..Math.Min(letters.Length, 8)];
    }

    /// <summary>7bit for ASCII text whose lines fit; quoted-printable otherwise.</summary>
    private static ContentEncoding TextEncoding(ReadOnlySpan<byte> bytes)
    {
        var line = 0;
        foreach (var b in bytes)
        {
            if (b is 0 or >= 0x80)
                return ContentEncoding.QuotedPrintable;
            line = b is (byte)'\n' ? 0 : line + 1;
            if (line > MaxLineLength + 1)
                return ContentEncoding.QuotedPrintable;
        }
        return ContentEncoding.SevenBit;
    }

    private static MimePart XmlPart(string mediaType, string subtype, string id, XDocument document)
    {
        var bytes = Serialize(document);
        var part = new MimePart(mediaType, subtype)
        {
            Content = new MimeContent(new MemoryStream(bytes, writable: false)),
            ContentTransferEncoding = TextEncoding(bytes),
        };
        part.ContentType.Charset = "utf-8";
        Identify(part, id);
        return part;
    }

    /// <summary>
    /// The document indented with CRLF line ends, in ASCII: every <c>,</c> <c>(</c> <c>)</c> <c>$</c> and
    /// every character beyond ASCII is written as a character reference (<c>&amp;#44;</c>,
    /// <c>&amp;#233;</c>), so the part is 7bit and the recipe reads past it. Replacing them in the serialized
    /// text is safe because none can occur in the names these documents use: each one is in a text node or
    /// an attribute value, where a character reference reads back as the character itself.
    /// </summary>
    private static byte[] Serialize(XDocument document)
    {
        var settings = new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
            Indent = true,
            IndentChars = "  ",
            NewLineChars = "\r\n",
        };
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, settings))
            document.Save(writer);
        var xml = new StringBuilder();
        foreach (var rune in Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length).EnumerateRunes())
        {
            if (rune.Value is ',' or '(' or ')' or '$' or > 0x7F)
                xml.Append("&#").Append(rune.Value.ToString(CultureInfo.InvariantCulture)).Append(';');
            else
                xml.Append((char)rune.Value);
        }
        return Encoding.ASCII.GetBytes(xml.ToString());
    }

    /// <summary>
    /// The MM7 request for the copy's direction: <c>DeliverReq</c> for <c>mo</c> (the MMSC delivers the
    /// handset's message to the VASP), <c>SubmitReq</c> for <c>mt</c> (the VASP submits the message to the
    /// MMSC for the handset), both listing every recipient, each in its own <c>To</c>.
    /// </summary>
    private static XDocument SoapEnvelope(MessageCopy copy, string? subject)
    {
        var content = copy.Content;
        var isDelivery = copy.Direction == MessageDirection.Mo;
        var request = new XElement(Mm7 + (isDelivery ? "DeliverReq" : "SubmitReq"),
            new XAttribute("xmlns", Mm7.NamespaceName),
            new XElement(Mm7 + "MM7Version", Version),
            isDelivery
                ? new XElement(Mm7 + "Sender", Address(content.From))
                : new XElement(Mm7 + "SenderIdentification", new XElement(Mm7 + "SenderAddress", Address(content.From))),
            new XElement(Mm7 + "Recipients", content.To.Select(to => new XElement(Mm7 + "To", Address(to)))),
            new XElement(Mm7 + "TimeStamp",
                copy.CapturedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
            string.IsNullOrEmpty(subject) ? null : new XElement(Mm7 + "Subject", XmlText(subject)),
            new XElement(Mm7 + "Content", new XAttribute("href", "cid:" + ContentId), new XAttribute("allowAdaptations", "true")));

        return new XDocument(
            new XElement(Env + "Envelope",
                new XAttribute(XNamespace.Xmlns + "env", Env.NamespaceName),
                new XElement(Env + "Header",
                    new XElement(Mm7 + "TransactionID",
                        new XAttribute(XNamespace.Xmlns + "mm7", Mm7.NamespaceName),
                        new XAttribute(Env + "mustUnderstand", "1"),
                        copy.MessageId.Value)),
                new XElement(Env + "Body", request)));
    }

    /// <summary>An E.164 number, <c>+</c> kept, is a <c>Number</c>; a short code or alphanumeric sender a <c>ShortCode</c>.</summary>
    private static XElement Address(string address) =>
        new(Mm7 + (E164Number.TryParse(address, out _) ? "Number" : "ShortCode"), XmlText(address));

    /// <summary>The text without the characters XML 1.0 cannot hold (most controls, lone surrogates).</summary>
    private static string XmlText(string text)
    {
        var kept = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (XmlConvert.IsXmlChar(text[i]))
                kept.Append(text[i]);
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], text[i]))
                kept.Append(text, i++, 2);
        }
        return kept.ToString();
    }

    /// <summary>
    /// The SMIL 2.0 layout: a 320×480 root layout with an Image region above a Text region, and one
    /// <c>par</c> of five seconds per slide. Items fill slides in the message's order, a new slide starting
    /// when the current one already shows an item of that kind (one image or video, one audio, one text,
    /// one other each); the typed text goes on the first slide without text, beside the first picture.
    /// </summary>
    private static XDocument SmilDocument(List<ContentItem> media, ContentItem? text)
    {
        var slides = new List<List<ContentItem>>();
        foreach (var item in media)
        {
            if (slides.Count == 0 || slides[^1].Any(shown => Slot(shown) == Slot(item)))
                slides.Add([]);
            slides[^1].Add(item);
        }
        if (text is not null)
        {
            var slide = slides.Find(shown => shown.TrueForAll(i => Slot(i) != Slot(text)));
            if (slide is null)
                slides.Add(slide = []);
            slide.Add(text);
        }

        return new XDocument(
            new XElement(Smil + "smil",
                new XAttribute("xmlns", Smil.NamespaceName),
                new XElement(Smil + "head",
                    new XElement(Smil + "layout",
                        new XElement(Smil + "root-layout", new XAttribute("width", "320px"), new XAttribute("height", "480px")),
                        Region("Image", top: "0", height: "70%", fit: "meet"),
                        Region("Text", top: "70%", height: "30%", fit: "scroll"))),
                new XElement(Smil + "body",
                    slides.Select(slide => new XElement(Smil + "par",
                        new XAttribute("dur", "5000ms"),
                        slide.Select(Reference))))));
    }

    private static XElement Region(string id, string top, string height, string fit) =>
        new(Smil + "region",
            new XAttribute("id", id),
            new XAttribute("left", "0"),
            new XAttribute("top", top),
            new XAttribute("width", "100%"),
            new XAttribute("height", height),
            new XAttribute("fit", fit));

    private static XElement Reference(ContentItem item)
    {
        var reference = new XElement(Smil + item.SmilElement, new XAttribute("src", "cid:" + item.Name));
        if (item.SmilElement is "img" or "video")
            reference.Add(new XAttribute("region", "Image"));
        else if (item.SmilElement is "text")
            reference.Add(new XAttribute("region", "Text"));
        return reference;
    }

    private static string Slot(ContentItem item) => item.SmilElement is "img" or "video" ? "visual" : item.SmilElement;
}
