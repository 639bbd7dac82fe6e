using System.Globalization;
using System.Text;
using Gateway.Domain.Messaging;
using Field = (string Name, object Value);

namespace Gateway.Northbound.MessageCopies;

/// <summary>
/// The body of one Message Copy POST (CONTRACT §6): the seed's <c>smsEvent</c> JSON, laid out exactly as
/// Jackson's <c>DefaultPrettyPrinter</c> writes it, because partners process the files with text tools
/// that depend on that layout (<c>grep '"messageType" : "sms"'</c>, <c>grep -oP '"message" : "…'</c>):
/// <code>
/// {
///   "smsEvent" : [ {
///     "direction" : "mo",
///     "startTime" : "2024-09-16T19:30:39.090+0000",
///     "subscriberParty" : {
///       "domain" : "…",
///       …
///     },
///     …
///     "messageContentType" : "text/plain; charset=UTF-8"
///   } ]
/// }
/// </code>
/// Two spaces per level, <c>" : "</c> between a name and its value, <c>[ {</c> and <c>} ]</c> around the
/// one-element array, <c>\n</c> line ends and no newline after the last <c>}</c> (Jackson writes none).
/// The fields are always these, in this order; the seed's retired <c>segment</c> object is never written.
/// For an SMS, <c>message</c> is the text and <c>messageContentType</c> is <see cref="SmsContentType"/>;
/// for an MMS they are the MM7 text and its multipart type (<see cref="Mm7Message"/>).
/// </summary>
/// <remarks>
/// Strings are escaped as Jackson escapes them by default: <c>"</c>, <c>\</c> and the control characters
/// below U+0020, nothing else. Non-ASCII text, emoji (as their four UTF-8 bytes, not a surrogate-pair
/// escape), <c>/</c>, <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> and <c>'</c> are written as they are: an
/// escaped <c>/</c> would break the base64 lines the partners' MMS recipe decodes. A lone surrogate, which
/// a .NET string can hold but UTF-8 cannot encode, is written as its <c>\uXXXX</c> escape (uppercase hex,
/// like the control characters), so the body stays valid UTF-8 and the character is not silently lost.
/// <c>System.Text.Json</c> is not used because it can produce neither this layout nor raw emoji.
/// </remarks>
public static class SmsEventJson
{
    /// <summary>The <c>messageContentType</c> of every SMS copy.</summary>
    public const string SmsContentType = "text/plain; charset=UTF-8";

    /// <summary>The UTF-8 body (no byte order mark) for <paramref name="copy"/>.</summary>
    public static byte[] Render(MessageCopy copy)
    {
        var content = copy.Content;
        var (message, messageContentType) = content.Type == MessageType.Mms
            ? Mm7(copy)
            : (content.Text ?? "", SmsContentType);

        var smsEvent = new Field[]
        {
            ("direction", copy.Direction == MessageDirection.Mo ? "mo" : "mt"),
            ("startTime", StartTime(copy.CapturedAt)),
            ("subscriberParty", new Field[]
            {
                ("domain", copy.Subscriber.Domain),
                ("mobile", WithoutPlus(copy.Subscriber.Mobile)),
                ("did", WithoutPlus(copy.Subscriber.Did)),
                ("subrId", copy.Subscriber.SubrId),
            }),
            ("otherParty", new Field[] { ("number", WithoutPlus(copy.OtherParty())) }),
            ("message", message),
            ("messageType", content.Type == MessageType.Mms ? "mms" : "sms"),
            ("messageContentType", messageContentType),
        };

        var json = new StringBuilder();
        WriteObject(json, [("smsEvent", new[] { smsEvent })], depth: 0);
        return Encoding.UTF8.GetBytes(json.ToString());
    }

    /// <summary>Java's <c>yyyy-MM-dd'T'HH:mm:ss.SSSZ</c> in UTC: milliseconds cut, not rounded, and always <c>+0000</c>.</summary>
    internal static string StartTime(DateTimeOffset capturedAt) =>
        capturedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'+0000'", CultureInfo.InvariantCulture);

    /// <summary>An E.164 number without its <c>+</c>; short codes and alphanumeric senders unchanged.</summary>
    internal static string WithoutPlus(string address) => address.StartsWith('+') ? address[1..] : address;

    private static (string Message, string ContentType) Mm7(MessageCopy copy)
    {
        var encoded = Mm7Message.Encode(copy);
        return (encoded.Body, encoded.ContentType);
    }

    /// <summary>
    /// Writes an object whose values are strings, objects (<c>Field[]</c>) or arrays of objects
    /// (<c>Field[][]</c>). Like Jackson, an array adds no indentation level: it sits inline as
    /// <c>[ {…}, {…} ]</c>, so the objects in it are indented one level below the array's owner.
    /// </summary>
    private static void WriteObject(StringBuilder json, Field[] fields, int depth)
    {
        json.Append('{');
        for (var i = 0; i < fields.Length; i++)
        {
            json.Append(i == 0 ? "\n" : ",\n").Append(' ', 2 * (depth + 1));
            WriteString(json, fields[i].Name);
            json.Append(" : ");
            switch (fields[i].Value)
            {
                case string text:
                    WriteString(json, text);
                    break;
                case Field[] nested:
                    WriteObject(json, nested, depth + 1);
                    break;
                case Field[][] array:
                    json.Append("[ ");
                    for (var j = 0; j < array.Length; j++)
                    {
                        if (j > 0)
                            json.Append(", ");
                        WriteObject(json, array[j], depth + 1);
                    }
                    json.Append(" ]");
                    break;
            }
        }
        json.Append('\n').Append(' ', 2 * depth).Append('}');
    }

    private static void WriteString(StringBuilder json, string text)
    {
        json.Append('"');
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                json.Append(c).Append(text[++i]);
            else if (ShortEscape(c) is { } escape)
                json.Append(escape);
            else if (c < ' ' || char.IsSurrogate(c))
                json.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            else
                json.Append(c);
        }
        json.Append('"');
    }

    private static string? ShortEscape(char c) => c switch
    {
        '"' => "\\\"",
        '\\' => @"\\",
        '\b' => @"\b",
        '\t' => @"\t",
        '\n' => @"\n",
        '\f' => @"\f",
        '\r' => @"\r",
        _ => null,
    };
}
