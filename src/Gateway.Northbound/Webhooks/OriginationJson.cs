using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Gateway.Domain.Messaging;
using Gateway.Engine.Delivery;

namespace Gateway.Northbound.Webhooks;

/// <summary>
/// The webhook body of CONTRACT §4, written with <see cref="Utf8JsonWriter"/>, property by property:
/// <code>
/// {"id": "msg_…", "type": "sms"|"mms", "from": "…", "to": ["…"], "owner": "…", "text": "…"|null,
///  "media": [{"contentType": "…", "fileName": "…"|null, "content": "&lt;base64&gt;"}], "timestamp": "2026-01-02T03:04:05.678Z"}
/// </code>
/// Every property is always present, in this order. <c>text</c> is the message's text, or <c>null</c>
/// when it has none (an MMS of media only): <c>""</c> would claim an empty text the handset never sent.
/// <c>media</c> is <c>[]</c> for an SMS; a media item's <c>fileName</c> is <c>null</c> when the item has
/// none. <c>timestamp</c> is when the gateway received the message, in UTC with exactly three
/// millisecond digits and <c>Z</c> (sub-millisecond digits are cut, not rounded).
/// </summary>
/// <remarks>
/// Strings are escaped with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>: the body is
/// JSON sent as <c>application/json</c>, never embedded in HTML, so <c>&lt;</c>, <c>&amp;</c> and non-ASCII
/// letters travel as UTF-8 instead of <c>\u</c> escapes. Characters outside the Basic Multilingual
/// Plane (emoji) are still written as a <c>\uD83D\uDE00</c> surrogate-pair escape, which every JSON
/// parser decodes to the same character; a lone surrogate becomes <c>\uFFFD</c>.
/// </remarks>
internal static class OriginationJson
{
    /// <summary>Raw media bytes per base64 segment: a multiple of 3, so segments need no padding between them.</summary>
    internal const int MediaChunkBytes = 48 * 1024;

    internal static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    internal static string FormatTimestamp(DateTimeOffset timestamp) => Timestamps.ToContract(timestamp);

    /// <summary>
    /// Writes the body to <paramref name="writer"/>, pausing (one element each time) after every base64
    /// segment of media so the caller can flush the writer to the network: a megabyte of media never
    /// sits in the writer's buffer as one 1.4 MB base64 string. The caller flushes once more at the end.
    /// </summary>
    internal static IEnumerable<int> Write(Utf8JsonWriter writer, OriginationEvent message)
    {
        var content = message.Content;
        writer.WriteStartObject();
        writer.WriteString("id", message.Id.Value);
        writer.WriteString("type", TypeName(content.Type));
        writer.WriteString("from", content.From);
        writer.WriteStartArray("to");
        foreach (var recipient in content.To)
            writer.WriteStringValue(recipient);
        writer.WriteEndArray();
        writer.WriteString("owner", content.Owner);
        if (content.Text is null)
            writer.WriteNull("text");
        else
            writer.WriteString("text", content.Text);
        writer.WriteStartArray("media");
        foreach (var item in content.Media)
        {
            writer.WriteStartObject();
            writer.WriteString("contentType", item.ContentType);
            if (item.FileName is null)
                writer.WriteNull("fileName");
            else
                writer.WriteString("fileName", item.FileName);
            writer.WritePropertyName("content");
            var bytes = item.Content;
            if (bytes.Length == 0)
                writer.WriteBase64StringValue(ReadOnlySpan<byte>.Empty);
            for (var offset = 0; offset < bytes.Length; offset += MediaChunkBytes)
            {
                var length = Math.Min(MediaChunkBytes, bytes.Length - offset);
                writer.WriteBase64StringSegment(bytes.AsSpan(offset, length), isFinalSegment: offset + length == bytes.Length);
                yield return offset + length;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("timestamp", FormatTimestamp(message.Timestamp));
        writer.WriteEndObject();
    }

    /// <summary>The whole body in memory; for tests and diagnostics (the client streams it).</summary>
    internal static byte[] ToUtf8Bytes(OriginationEvent message)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            foreach (var _ in Write(writer, message))
            {
            }
            writer.Flush();
        }
        return buffer.ToArray();
    }

    private static string TypeName(MessageType type) => type switch
    {
        MessageType.Sms => "sms",
        MessageType.Mms => "mms",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown message type."),
    };
}
