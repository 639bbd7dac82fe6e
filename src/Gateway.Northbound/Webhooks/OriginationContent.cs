using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Engine.Delivery;

namespace Gateway.Northbound.Webhooks;

/// <summary>
/// The request body of one webhook POST, streamed to the connection with <see cref="Utf8JsonWriter"/>
/// (see <see cref="OriginationJson"/>) rather than built as one string: the media's base64 is written
/// and flushed in segments, so a request holds at most one segment's worth of encoded text.
/// </summary>
/// <remarks>
/// The length is computed up front by writing the body once to a stream that only counts bytes, so the
/// request carries <c>Content-Length</c> instead of <c>Transfer-Encoding: chunked</c>: some webhook
/// receivers (and proxies in front of them) refuse chunked request bodies with <c>411 Length Required</c>,
/// which the contract would make a permanent failure. The second pass costs a base64 encoding of at most
/// 1 MB of media, small next to the network round trip.
/// </remarks>
internal sealed class OriginationContent : HttpContent
{
    private readonly OriginationEvent _message;

    public OriginationContent(OriginationEvent message)
    {
        _message = message;
        Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, OriginationJson.WriterOptions);
        foreach (var _ in OriginationJson.Write(writer, _message))
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        using var counter = new CountingStream();
        using (var writer = new Utf8JsonWriter(counter, OriginationJson.WriterOptions))
        {
            foreach (var _ in OriginationJson.Write(writer, _message))
                writer.Flush();
            writer.Flush();
        }
        length = counter.Length;
        return true;
    }

    /// <summary>A write-only stream that keeps nothing but the number of bytes written to it.</summary>
    private sealed class CountingStream : Stream
    {
        private long _length;

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
