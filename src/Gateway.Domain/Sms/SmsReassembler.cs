using System.Buffers;

namespace Gateway.Domain.Sms;

/// <summary>What <see cref="SmsReassembler.Add"/> did with a segment.</summary>
public enum ReassemblyStatus
{
    /// <summary>The segment completed its message (or was a message on its own).</summary>
    Completed,
    /// <summary>The segment was kept; its message still misses parts.</summary>
    Pending,
    /// <summary>The segment was already there (or belongs to a message completed moments ago) and was ignored.</summary>
    Duplicate,
}

/// <summary>The outcome of adding one segment: the status, and the message when it completed.</summary>
public readonly record struct ReassemblyResult(ReassemblyStatus Status, ReassembledSms? Message);

/// <summary>
/// A message put back together from its segments. An incomplete one (its parts timed out) has
/// <see cref="MissingSegments"/> and carries <see cref="SmsReassembler.GapMarker"/> where they belong.
/// </summary>
/// <param name="Originator">The sender's address, as the network gave it.</param>
/// <param name="Text">The text of the parts in sequence order.</param>
/// <param name="Encoding">UCS-2 if any part was UCS-2, else GSM 7-bit.</param>
/// <param name="Segments">How many segments the message has (the concatenation total; 1 for a single SMS).</param>
/// <param name="MissingSegments">The sequence numbers that never arrived; empty when complete.</param>
/// <param name="FirstReceivedAt">When the first part arrived.</param>
/// <param name="LastReceivedAt">When the last part that arrived did.</param>
public sealed record ReassembledSms(
    string Originator,
    string Text,
    SmsEncoding Encoding,
    int Segments,
    IReadOnlyList<int> MissingSegments,
    DateTimeOffset FirstReceivedAt,
    DateTimeOffset LastReceivedAt)
{
    public bool IsComplete => MissingSegments.Count == 0;
}

/// <summary>A part kept by the reassembler: its sequence number, alphabet and payload (header removed).</summary>
public sealed record ReassemblyPartSnapshot(int Sequence, SmsEncoding Encoding, byte[] Payload);

/// <summary>A message's parts as kept by the reassembler, pending or recently completed.</summary>
public sealed record ReassemblyEntrySnapshot(
    string Originator,
    ushort Reference,
    bool SixteenBitReference,
    int Total,
    DateTimeOffset FirstReceivedAt,
    DateTimeOffset LastReceivedAt,
    IReadOnlyList<ReassemblyPartSnapshot> Parts);

/// <summary>Everything a reassembler holds, for the engine to make durable; see <see cref="SmsReassembler.FromSnapshot"/>.</summary>
public sealed record ReassemblySnapshot(
    IReadOnlyList<ReassemblyEntrySnapshot> Pending,
    IReadOnlyList<ReassemblyEntrySnapshot> RecentlyCompleted);

/// <summary>
/// Puts concatenated SMS back together (3GPP TS 23.040 §9.2.3.24.1 and §9.2.3.24.8). Segments are
/// keyed by (originator, reference, total); they may arrive in any order; a segment already held is a
/// duplicate. A message completes when every part is there. When the first part of a message is
/// older than the timeout, <see cref="Expire"/> gives what arrived, in order, with
/// <see cref="GapMarker"/> for each run of missing parts, marked incomplete: the recipient learns that
/// something was lost instead of reading a silently shortened text.
/// <para>
/// A completed (or expired) message's parts are remembered for one more timeout, so that a segment
/// the network repeats after completion (a lost <c>deliver_sm_resp</c>) is recognised as a duplicate
/// rather than starting a new message. Only an identical payload counts: a different one under the same
/// key is a new message reusing the reference.
/// </para>
/// Time is passed in, never read from a clock, so replay and virtual-time tests are exact. Not
/// thread-safe: one owner (an actor) uses it.
/// </summary>
public sealed class SmsReassembler
{
    /// <summary>Stands in the text of an incomplete message for each run of missing parts.</summary>
    public const string GapMarker = "[…]";

    private readonly TimeSpan _timeout;
    private readonly Dictionary<PartsKey, Entry> _pending = new();
    private readonly Dictionary<PartsKey, Entry> _completed = new();

    public SmsReassembler(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        _timeout = timeout;
    }

    /// <summary>Messages waiting for parts.</summary>
    public int PendingCount => _pending.Count;

    /// <summary>When <see cref="Expire"/> next has something to do, or null when nothing is held.</summary>
    public DateTimeOffset? NextDeadline
    {
        get
        {
            DateTimeOffset? earliest = null;
            foreach (var entry in _pending.Values)
                earliest = Earliest(earliest, entry.FirstReceivedAt + _timeout);
            foreach (var entry in _completed.Values)
                earliest = Earliest(earliest, entry.LastReceivedAt + _timeout);
            return earliest;
        }
    }

    /// <summary>
    /// Adds a segment from <paramref name="originator"/>. The payload is copied; the caller may reuse
    /// its buffer.
    /// </summary>
    public ReassemblyResult Add(string originator, in SmsSegment segment, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(originator);
        var concatenation = segment.Concatenation;
        if (concatenation is null || concatenation.Value.Total == 1)
        {
            var text = segment.DecodeText();
            return new ReassemblyResult(ReassemblyStatus.Completed,
                new ReassembledSms(originator, text, segment.Encoding, 1, [], receivedAt, receivedAt));
        }

        var info = concatenation.Value;
        var key = new PartsKey(originator, info.Reference, info.SixteenBitReference, info.Total);
        var index = info.Sequence - 1;
        var payload = segment.Payload.Span;

        if (_completed.TryGetValue(key, out var completed))
        {
            if (completed.Parts[index] is { } earlier && earlier.Encoding == segment.Encoding && payload.SequenceEqual(earlier.Payload))
                return new ReassemblyResult(ReassemblyStatus.Duplicate, null);
            _completed.Remove(key); // a new message reuses the reference
        }

        if (!_pending.TryGetValue(key, out var entry))
        {
            entry = new Entry(key, receivedAt);
            _pending.Add(key, entry);
        }
        else if (entry.Parts[index] is not null)
        {
            return new ReassemblyResult(ReassemblyStatus.Duplicate, null);
        }

        entry.Parts[index] = new Part(segment.Encoding, payload.ToArray());
        entry.Received++;
        entry.LastReceivedAt = Max(entry.LastReceivedAt, receivedAt);
        if (entry.Received < info.Total)
            return new ReassemblyResult(ReassemblyStatus.Pending, null);

        _pending.Remove(key);
        _completed[key] = entry;
        return new ReassemblyResult(ReassemblyStatus.Completed, entry.ToMessage());
    }

    /// <summary>
    /// Gives up on messages whose first part arrived at least the timeout before <paramref name="now"/>
    /// and returns them, incomplete, oldest first; forgets completed messages older than the timeout.
    /// </summary>
    public IReadOnlyList<ReassembledSms> Expire(DateTimeOffset now)
    {
        ForgetCompleted(now);

        var expired = Expiring(now);
        if (expired is null)
            return [];

        var messages = new List<ReassembledSms>(expired.Count);
        foreach (var entry in expired)
        {
            _pending.Remove(entry.Key);
            _completed[entry.Key] = entry;
            entry.LastReceivedAt = Max(entry.LastReceivedAt, now);
            messages.Add(entry.ToMessage());
        }
        return messages;
    }

    /// <summary>When the oldest incomplete message times out, or null when none is pending.</summary>
    public DateTimeOffset? NextExpiry
    {
        get
        {
            DateTimeOffset? earliest = null;
            foreach (var entry in _pending.Values)
                earliest = Earliest(earliest, entry.FirstReceivedAt + _timeout);
            return earliest;
        }
    }

    /// <summary>
    /// Forgets completed messages older than the timeout, without expiring anything pending (what
    /// <see cref="Expire"/> does as well); lets an owner keep the duplicate memory small from its own events.
    /// </summary>
    public void ForgetCompleted(DateTimeOffset now)
    {
        foreach (var (key, entry) in _completed)
        {
            if (entry.LastReceivedAt + _timeout <= now)
                _completed.Remove(key);
        }
    }

    /// <summary>How many messages <see cref="Expire"/> would give up on at <paramref name="now"/>.</summary>
    public int CountExpiring(DateTimeOffset now)
    {
        var count = 0;
        foreach (var entry in _pending.Values)
        {
            if (entry.FirstReceivedAt + _timeout <= now)
                count++;
        }
        return count;
    }

    /// <summary>
    /// The <see cref="ReassembledSms.Segments"/> of each message <see cref="Expire"/> would give up on at
    /// <paramref name="now"/>, in the order it would return them; changes nothing.
    /// </summary>
    public IReadOnlyList<int> SegmentsOfExpiring(DateTimeOffset now) =>
        Expiring(now) is { } expiring ? expiring.ConvertAll(static entry => (int)entry.Key.Total) : [];

    /// <summary>
    /// Whether <see cref="Add"/> would complete a message with this segment at <paramref name="receivedAt"/>
    /// (after <see cref="ForgetCompleted"/> at that time); changes nothing. Lets an owner decide what to
    /// journal before it applies the segment.
    /// </summary>
    public bool WouldComplete(string originator, in SmsSegment segment, DateTimeOffset receivedAt) =>
        CompletesWith(originator, segment, receivedAt, out _) is not CompletionKind.None;

    /// <summary>
    /// The message <see cref="Add"/> would complete with this segment at <paramref name="receivedAt"/>,
    /// or null when it would complete none; changes nothing. Lets an owner journal what the message
    /// says (a Message Copy) in the same event as the segment that completes it.
    /// </summary>
    public ReassembledSms? Completion(string originator, in SmsSegment segment, DateTimeOffset receivedAt)
    {
        switch (CompletesWith(originator, segment, receivedAt, out var entry))
        {
            case CompletionKind.Single:
                return new ReassembledSms(originator, segment.DecodeText(), segment.Encoding, 1, [], receivedAt, receivedAt);
            case CompletionKind.LastPart:
                var parts = (Part?[])entry!.Parts.Clone();
                parts[segment.Concatenation!.Value.Sequence - 1] = new Part(segment.Encoding, segment.Payload.ToArray());
                return Entry.ToMessage(entry.Key, parts, entry.FirstReceivedAt, Max(entry.LastReceivedAt, receivedAt));
            default:
                return null;
        }
    }

    private enum CompletionKind
    {
        None,
        Single,
        LastPart,
    }

    /// <summary>Whether, and how, <see cref="Add"/> would complete a message with this segment; <paramref name="entry"/> is the one it completes.</summary>
    private CompletionKind CompletesWith(string originator, in SmsSegment segment, DateTimeOffset receivedAt, out Entry? entry)
    {
        ArgumentNullException.ThrowIfNull(originator);
        entry = null;
        if (segment.Concatenation is not { } info || info.Total == 1)
            return CompletionKind.Single;
        var key = new PartsKey(originator, info.Reference, info.SixteenBitReference, info.Total);
        var index = info.Sequence - 1;
        if (_completed.TryGetValue(key, out var completed) && completed.LastReceivedAt + _timeout > receivedAt
            && completed.Parts[index] is { } earlier && earlier.Encoding == segment.Encoding
            && segment.Payload.Span.SequenceEqual(earlier.Payload))
            return CompletionKind.None;
        if (!_pending.TryGetValue(key, out entry) || entry.Parts[index] is not null || entry.Received + 1 != info.Total)
            return CompletionKind.None;
        return CompletionKind.LastPart;
    }

    /// <summary>What <see cref="Expire"/> would give up on at <paramref name="now"/>, in its order; changes nothing.</summary>
    public IReadOnlyList<ReassembledSms> PeekExpiring(DateTimeOffset now) =>
        Expiring(now) is { } expiring
            ? expiring.ConvertAll(entry => Entry.ToMessage(entry.Key, entry.Parts, entry.FirstReceivedAt, Max(entry.LastReceivedAt, now)))
            : [];

    /// <summary>Pending messages timed out at <paramref name="now"/>, in <see cref="Expire"/>'s order; null when none.</summary>
    private List<Entry>? Expiring(DateTimeOffset now)
    {
        List<Entry>? expired = null;
        foreach (var entry in _pending.Values)
        {
            if (entry.FirstReceivedAt + _timeout <= now)
                (expired ??= []).Add(entry);
        }
        // A total order, so that a reassembler restored from a snapshot expires in the same order as the original.
        expired?.Sort(static (a, b) => CompareEntries(a, b));
        return expired;
    }

    public ReassemblySnapshot ToSnapshot() => new(Snapshot(_pending.Values), Snapshot(_completed.Values));

    /// <summary>A reassembler holding exactly what <paramref name="snapshot"/> describes.</summary>
    public static SmsReassembler FromSnapshot(ReassemblySnapshot snapshot, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var reassembler = new SmsReassembler(timeout);
        Restore(snapshot.Pending, reassembler._pending);
        Restore(snapshot.RecentlyCompleted, reassembler._completed);
        return reassembler;
    }

    private static List<ReassemblyEntrySnapshot> Snapshot(IEnumerable<Entry> entries)
    {
        var snapshots = new List<ReassemblyEntrySnapshot>();
        var ordered = entries.ToList();
        ordered.Sort(static (a, b) => CompareEntries(a, b));
        foreach (var entry in ordered)
        {
            var parts = new List<ReassemblyPartSnapshot>(entry.Received);
            for (var i = 0; i < entry.Parts.Length; i++)
            {
                if (entry.Parts[i] is { } part)
                    parts.Add(new ReassemblyPartSnapshot(i + 1, part.Encoding, part.Payload.ToArray()));
            }
            snapshots.Add(new ReassemblyEntrySnapshot(entry.Key.Originator, entry.Key.Reference, entry.Key.SixteenBitReference,
                entry.Key.Total, entry.FirstReceivedAt, entry.LastReceivedAt, parts));
        }
        return snapshots;
    }

    private static void Restore(IReadOnlyList<ReassemblyEntrySnapshot> snapshots, Dictionary<PartsKey, Entry> into)
    {
        foreach (var snapshot in snapshots)
        {
            if (snapshot.Total is < 2 or > ConcatenationInfo.MaxSegments)
                throw new ArgumentException($"A reassembly entry has a total of {snapshot.Total}.", nameof(snapshots));
            var key = new PartsKey(snapshot.Originator, snapshot.Reference, snapshot.SixteenBitReference, (byte)snapshot.Total);
            var entry = new Entry(key, snapshot.FirstReceivedAt) { LastReceivedAt = snapshot.LastReceivedAt };
            foreach (var part in snapshot.Parts)
            {
                if (part.Sequence < 1 || part.Sequence > snapshot.Total || entry.Parts[part.Sequence - 1] is not null)
                    throw new ArgumentException($"A reassembly entry has part {part.Sequence} of {snapshot.Total} out of range or twice.", nameof(snapshots));
                entry.Parts[part.Sequence - 1] = new Part(part.Encoding, part.Payload.ToArray());
                entry.Received++;
            }
            into[key] = entry;
        }
    }

    private static int CompareEntries(Entry a, Entry b)
    {
        var order = a.FirstReceivedAt.CompareTo(b.FirstReceivedAt);
        if (order == 0)
            order = string.CompareOrdinal(a.Key.Originator, b.Key.Originator);
        if (order == 0)
            order = a.Key.Reference.CompareTo(b.Key.Reference);
        if (order == 0)
            order = a.Key.SixteenBitReference.CompareTo(b.Key.SixteenBitReference);
        return order != 0 ? order : a.Key.Total.CompareTo(b.Key.Total);
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset b) => a is null || b < a ? b : a;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private readonly record struct PartsKey(string Originator, ushort Reference, bool SixteenBitReference, byte Total);

    private readonly record struct Part(SmsEncoding Encoding, byte[] Payload);

    private sealed class Entry(PartsKey key, DateTimeOffset firstReceivedAt)
    {
        public PartsKey Key { get; } = key;
        public DateTimeOffset FirstReceivedAt { get; } = firstReceivedAt;
        public DateTimeOffset LastReceivedAt { get; set; } = firstReceivedAt;
        public Part?[] Parts { get; } = new Part?[key.Total];
        public int Received { get; set; }

        public ReassembledSms ToMessage() => ToMessage(Key, Parts, FirstReceivedAt, LastReceivedAt);

        public static ReassembledSms ToMessage(PartsKey key, Part?[] parts, DateTimeOffset firstReceivedAt, DateTimeOffset lastReceivedAt)
        {
            List<int>? missing = null;
            var encoding = SmsEncoding.Gsm7;
            for (var i = 0; i < parts.Length; i++)
            {
                if (parts[i] is not { } part)
                    (missing ??= []).Add(i + 1);
                else if (part.Encoding == SmsEncoding.Ucs2)
                    encoding = SmsEncoding.Ucs2;
            }
            return new ReassembledSms(key.Originator, BuildText(parts), encoding, parts.Length,
                missing ?? (IReadOnlyList<int>)[], firstReceivedAt, lastReceivedAt);
        }
    }

    /// <summary>
    /// Decodes the parts in order. Consecutive GSM 7-bit parts are decoded as one septet stream, and
    /// UCS-2 units are copied one by one, so an escape or a surrogate pair that a sender split across
    /// two parts still gives its character.
    /// </summary>
    private static string BuildText(Part?[] parts)
    {
        var capacity = 0;
        var septetCapacity = 0;
        foreach (var slot in parts)
        {
            if (slot is not { } part)
                capacity += GapMarker.Length;
            else if (part.Encoding == SmsEncoding.Gsm7)
            {
                capacity += part.Payload.Length;
                septetCapacity += part.Payload.Length;
            }
            else
                capacity += part.Payload.Length / 2;
        }

        var characters = ArrayPool<char>.Shared.Rent(Math.Max(capacity, 1));
        var septets = ArrayPool<byte>.Shared.Rent(Math.Max(septetCapacity, 1));
        try
        {
            var written = 0;
            var index = 0;
            while (index < parts.Length)
            {
                if (parts[index] is not { } part)
                {
                    GapMarker.CopyTo(characters.AsSpan(written));
                    written += GapMarker.Length;
                    while (index < parts.Length && parts[index] is null)
                        index++;
                }
                else if (part.Encoding == SmsEncoding.Ucs2)
                {
                    written += SmsSegment.DecodePayload(SmsEncoding.Ucs2, part.Payload, characters.AsSpan(written));
                    index++;
                }
                else
                {
                    var run = 0;
                    while (index < parts.Length && parts[index] is { Encoding: SmsEncoding.Gsm7 } gsm)
                    {
                        gsm.Payload.CopyTo(septets, run);
                        run += gsm.Payload.Length;
                        index++;
                    }
                    written += Gsm7Alphabet.Decode(septets.AsSpan(0, run), characters.AsSpan(written));
                }
            }
            return new string(characters, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(characters);
            ArrayPool<byte>.Shared.Return(septets);
        }
    }
}
