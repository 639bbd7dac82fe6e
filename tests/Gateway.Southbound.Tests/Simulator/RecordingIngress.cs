using System.Collections.Concurrent;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;

namespace Gateway.Southbound.Tests.Simulator;

/// <summary>
/// An origination ingress that records every call and answers from a script (then
/// <see cref="IngressResult.Accepted"/> once the script is used up).
/// </summary>
internal sealed class RecordingIngress : IOriginationIngress
{
    private readonly ConcurrentQueue<IngressResult> _script = new();
    private readonly ConcurrentQueue<SegmentCall> _segments = new();
    private readonly ConcurrentQueue<MmsCall> _mms = new();

    public IReadOnlyList<SegmentCall> Segments => _segments.ToArray();

    public IReadOnlyList<MmsCall> Mms => _mms.ToArray();

    public RecordingIngress Answer(params IngressResult[] answers)
    {
        foreach (var answer in answers)
            _script.Enqueue(answer);
        return this;
    }

    public Task<IngressResult> ReceiveSmsSegmentAsync(E164Number handset, RecipientAddress to, SmsSegment segment, CancellationToken cancellationToken)
    {
        _segments.Enqueue(new SegmentCall(handset, to, segment));
        return Task.FromResult(Next());
    }

    public Task<IngressResult> ReceiveMmsAsync(
        E164Number handset, IReadOnlyList<RecipientAddress> to, string? text, IReadOnlyList<MediaItem> media, CancellationToken cancellationToken)
    {
        _mms.Enqueue(new MmsCall(handset, to, text, media));
        return Task.FromResult(Next());
    }

    private IngressResult Next() => _script.TryDequeue(out var answer) ? answer : IngressResult.Accepted;

    internal sealed record SegmentCall(E164Number Handset, RecipientAddress To, SmsSegment Segment);

    internal sealed record MmsCall(E164Number Handset, IReadOnlyList<RecipientAddress> To, string? Text, IReadOnlyList<MediaItem> Media);
}
