using System.Collections.Concurrent;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Engine.Simulator;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// The embedded mobile network (CONTRACT §5): handsets that receive what the gateway terminates and
/// send what it originates, exchanging SMS as segments (UDH and data coding), as on a real network.
/// <para>
/// A handset exists from its first use. Each has its own <see cref="SmsReassembler"/> and
/// <see cref="ConcatenationReferences"/>, used under the handset's lock, so the simulator is safe for
/// concurrent calls about many handsets (and about one). Whether a handset is reachable is asked of
/// the <see cref="IHandsetReachability"/> at each delivery: in a cluster it is one setting for every
/// node (<see cref="ReplicatedHandsetReachability"/>), while what a handset received is kept by the
/// node that delivered it (<see cref="ClusterInbox"/> gathers it from every node).
/// </para>
/// <para>
/// Receiving (<see cref="SubmitAsync"/>): the handset never reads <see cref="MessageContent.Text"/> of an
/// SMS; it parses each segment's wire form (<c>data_coding</c>, UDHI, <c>short_message</c>) and
/// reassembles them. A segment the codec refuses makes the whole submission a permanent failure and
/// none of its segments reaches the handset (the network refuses the message). Every delivery is
/// recorded: a redelivery of a message (at-least-once) shows twice, as a handset shows a message the
/// network delivers twice, even when its segments carry the same reference as the first copy (the
/// reassembler would treat them as duplicates; the handset shows the message again). Incomplete messages
/// (which only a garbled header can leave) are given up on after
/// <see cref="SimulatorOptions.ReassemblyTimeout"/> and shown with gap markers; the handset checks for
/// them on each submission and on each look at its inbox.
/// </para>
/// <para>
/// Sending (<see cref="SendFromHandsetAsync"/>): an SMS is segmented as a handset does and each segment
/// is offered to the gateway one after the other, waiting for each acknowledgement; with
/// <see cref="HandsetMessage.Shuffle"/> in a random order that is never the original one. An
/// <see cref="IngressStatus.Unavailable"/> answer (or an exception from the ingress) is retried up to
/// <see cref="SimulatorOptions.IngressAttempts"/> times. Sending does not depend on reachability,
/// which only concerns deliveries to the handset.
/// </para>
/// </summary>
public sealed class SimulatedMobileNetwork : IMobileNetwork
{
    private readonly ConcurrentDictionary<E164Number, Handset> _handsets = new();
    private readonly SimulatorOptions _options;
    private readonly IHandsetReachability _reachability;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _creation = new();

    /// <param name="options">Timeouts and retries; the defaults when null.</param>
    /// <param name="time">The clock (reassembly timeouts, <see cref="ReceivedMessage.ReceivedAt"/>, retry delays); the system clock when null.</param>
    /// <param name="random">
    /// Seeds each handset's own generator (first concatenation references, shuffles) in the order
    /// handsets are created; a seeded one makes a test's handsets repeatable. Never used concurrently.
    /// </param>
    /// <param name="reachability">Which handsets are reachable; a <see cref="LocalHandsetReachability"/> of its own when null.</param>
    public SimulatedMobileNetwork(
        SimulatorOptions? options = null, TimeProvider? time = null, Random? random = null, IHandsetReachability? reachability = null)
    {
        _options = options ?? new SimulatorOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _random = random ?? new Random();
        _reachability = reachability ?? new LocalHandsetReachability();
    }

    /// <summary>What <paramref name="handset"/> has received, oldest first; empty when nothing.</summary>
    public IReadOnlyList<ReceivedMessage> GetInbox(E164Number handset)
    {
        CheckHandset(handset);
        if (!_handsets.TryGetValue(handset, out var state))
            return [];
        lock (state.Gate)
        {
            ShowExpired(state, handset, _time.GetUtcNow());
            return state.Inbox.ToArray();
        }
    }

    /// <inheritdoc />
    public async Task<DeliveryOutcome> SubmitAsync(NetworkSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        cancellationToken.ThrowIfCancellationRequested();
        CheckHandset(submission.Handset);
        bool reachable;
        try
        {
            reachable = await _reachability.IsReachableAsync(submission.Handset, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Temporary($"the network cannot tell whether the handset is reachable: {exception.Message}");
        }

        var state = GetOrCreate(submission.Handset);
        lock (state.Gate)
        {
            var now = _time.GetUtcNow();
            ShowExpired(state, submission.Handset, now);
            if (!reachable)
                return DeliveryOutcome.Temporary("handset unreachable");
            var content = submission.Content;
            if (content.Type == MessageType.Mms)
            {
                state.Receive(new ReceivedMessage(content.From, content.To, MessageType.Mms, content.Text, content.Media, null, null, now));
                return DeliveryOutcome.Delivered;
            }
            return ReceiveSms(state, submission, now);
        }
    }

    /// <summary>
    /// <paramref name="handset"/> sends <paramref name="message"/> to the gateway through
    /// <paramref name="ingress"/>. Never throws for invalid input: an SMS needs exactly one recipient, a
    /// text and no media, and at most 255 segments; an MMS needs a recipient and a text or media;
    /// otherwise the result is <see cref="IngressStatus.Refused"/> and nothing is sent.
    /// </summary>
    public async Task<HandsetSendResult> SendFromHandsetAsync(
        E164Number handset, HandsetMessage message, IOriginationIngress ingress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(ingress);
        CheckHandset(handset);
        cancellationToken.ThrowIfCancellationRequested();

        var to = message.To ?? [];
        var media = message.Media ?? [];
        foreach (var recipient in to)
        {
            if (recipient.Value is null)
                return HandsetSendResult.Invalid("a recipient address is empty");
        }

        if (message.Type == MessageType.Mms)
        {
            if (to.Count == 0)
                return HandsetSendResult.Invalid("an MMS needs at least one recipient");
            if (string.IsNullOrEmpty(message.Text) && media.Count == 0)
                return HandsetSendResult.Invalid("an MMS needs a text or media");
            var (status, error) = await OfferAsync(
                ct => ingress.ReceiveMmsAsync(handset, to, message.Text, media, ct), "the MMS", cancellationToken).ConfigureAwait(false);
            return new HandsetSendResult(status, 0, null, error);
        }

        if (to.Count != 1)
            return HandsetSendResult.Invalid($"an SMS has exactly one recipient, not {to.Count}");
        if (string.IsNullOrEmpty(message.Text))
            return HandsetSendResult.Invalid("an SMS needs a text");
        if (media.Count > 0)
            return HandsetSendResult.Invalid("an SMS carries no media");

        var destination = to[0];
        var state = GetOrCreate(handset);
        SegmentedSms segmented;
        int[] order;
        lock (state.Gate)
        {
            var plan = SmsSegmenter.Plan(message.Text);
            // Only a concatenated message uses (and so advances) the destination's reference.
            var reference = plan.Segments is > 1 and <= ConcatenationInfo.MaxSegments ? state.References.Next(destination.Value) : (byte)0;
            if (!SmsSegmenter.TrySegment(message.Text, reference, out var result, out var codecError))
                return HandsetSendResult.Invalid($"{codecError.Code}: {codecError.Message}");
            segmented = result;
            order = Enumerable.Range(0, segmented.Count).ToArray();
            if (message.Shuffle)
                Shuffle(state.Random, order);
        }

        foreach (var index in order)
        {
            var segment = segmented[index];
            var (status, error) = await OfferAsync(
                ct => ingress.ReceiveSmsSegmentAsync(handset, destination, segment, ct),
                $"segment {index + 1}/{segmented.Count}", cancellationToken).ConfigureAwait(false);
            if (status != IngressStatus.Accepted)
                return new HandsetSendResult(status, segmented.Count, segmented.Encoding, error);
        }
        return new HandsetSendResult(IngressStatus.Accepted, segmented.Count, segmented.Encoding, null);
    }

    private DeliveryOutcome ReceiveSms(Handset state, NetworkSubmission submission, DateTimeOffset now)
    {
        if (submission.Segments is not { Count: > 0 } segments)
            return DeliveryOutcome.Permanent("an SMS submission carries no segments");

        // Parse everything first: a segment the network refuses fails the whole message, and nothing
        // of it reaches the handset.
        var parsed = new SmsSegment[segments.Count];
        for (var i = 0; i < segments.Count; i++)
        {
            var wire = segments[i];
            if (!SmsSegmentParser.TryParseShortMessage(wire.DataCoding, wire.HasUserDataHeader, wire.ShortMessage, out parsed[i], out var error))
                return DeliveryOutcome.Permanent($"{error.Code}: segment {i + 1}/{segments.Count}: {error.Message}");
        }

        var content = submission.Content;
        var shown = false;
        var allDuplicates = true;
        foreach (var segment in parsed)
        {
            var result = state.Reassembler.Add(content.From, segment, now);
            if (result.Status != ReassemblyStatus.Duplicate)
                allDuplicates = false;
            if (result.Message is { } sms)
            {
                Show(state, content, sms, now);
                shown = true;
            }
        }

        // A redelivery whose segments the handset still remembers: the reassembler calls them
        // duplicates, but the network delivered the message again and the handset shows it again.
        if (!shown && allDuplicates && Reassemble(content.From, parsed, now) is { } again)
            Show(state, content, again, now);
        return DeliveryOutcome.Delivered;
    }

    private ReassembledSms? Reassemble(string originator, SmsSegment[] segments, DateTimeOffset now)
    {
        var reassembler = new SmsReassembler(_options.ReassemblyTimeout);
        ReassembledSms? message = null;
        foreach (var segment in segments)
            message = reassembler.Add(originator, segment, now).Message ?? message;
        return message;
    }

    private static void Show(Handset state, MessageContent content, ReassembledSms sms, DateTimeOffset now) =>
        state.Receive(new ReceivedMessage(content.From, content.To, MessageType.Sms, sms.Text, [], sms.Segments, sms.Encoding, now)
        {
            IsComplete = sms.IsComplete,
        });

    private static void ShowExpired(Handset state, E164Number handset, DateTimeOffset now)
    {
        foreach (var sms in state.Reassembler.Expire(now))
        {
            state.Receive(new ReceivedMessage(sms.Originator, [handset.Value], MessageType.Sms, sms.Text, [], sms.Segments, sms.Encoding, now)
            {
                IsComplete = sms.IsComplete,
            });
        }
    }

    /// <summary>Offers one segment (or MMS) until the gateway takes it, refuses it, or the attempts run out.</summary>
    private async Task<(IngressStatus Status, string? Error)> OfferAsync(
        Func<CancellationToken, Task<IngressResult>> offer, string what, CancellationToken cancellationToken)
    {
        string? lastError = null;
        for (var attempt = 1; ; attempt++)
        {
            IngressResult result;
            try
            {
                result = await offer(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // No answer, as a deliver_sm whose response never came: the SMSC resends it.
                result = new IngressResult(IngressStatus.Unavailable, exception.Message);
            }

            switch (result.Status)
            {
                case IngressStatus.Accepted:
                    return (IngressStatus.Accepted, null);
                case IngressStatus.Unavailable:
                    lastError = result.Error;
                    break;
                default:
                    return (result.Status, $"{what}: {result.Error ?? result.Status.ToString()}");
            }

            if (attempt >= _options.IngressAttempts)
                return (IngressStatus.Unavailable, $"{what}: gateway unavailable after {attempt} attempt(s){(lastError is null ? "" : $" ({lastError})")}");
            if (_options.IngressRetryDelay > TimeSpan.Zero)
                await Task.Delay(_options.IngressRetryDelay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A uniform shuffle that, for two or more items, never leaves them in their original order.</summary>
    private static void Shuffle(Random random, int[] order)
    {
        if (order.Length < 2)
            return;
        random.Shuffle(order);
        var inOrder = true;
        for (var i = 0; i < order.Length && inOrder; i++)
            inOrder = order[i] == i;
        if (inOrder)
            (order[0], order[1]) = (order[1], order[0]);
    }

    private Handset GetOrCreate(E164Number handset)
    {
        CheckHandset(handset);
        if (_handsets.TryGetValue(handset, out var state))
            return state;
        lock (_creation)
        {
            // Under the lock, so that the shared generator is used by one thread and handsets get
            // their seeds in creation order.
            return _handsets.GetOrAdd(handset, _ => new Handset(new Random(_random.Next()), _options.ReassemblyTimeout, _options.InboxLimit));
        }
    }

    private static void CheckHandset(E164Number handset)
    {
        if (handset.Value is null)
            throw new ArgumentException("The handset number is the default value, not a parsed E.164 number.", nameof(handset));
    }

    private sealed class Handset(Random random, TimeSpan reassemblyTimeout, int inboxLimit)
    {
        public Lock Gate { get; } = new();
        public Random Random { get; } = random;
        public ConcatenationReferences References { get; } = new(random);
        public SmsReassembler Reassembler { get; } = new(reassemblyTimeout);
        /// <summary>What the handset received, oldest first; at most the inbox limit (the oldest go first).</summary>
        public Queue<ReceivedMessage> Inbox { get; } = new();

        public void Receive(ReceivedMessage message)
        {
            Inbox.Enqueue(message);
            if (Inbox.Count > inboxLimit)
                Inbox.Dequeue();
        }
    }
}
