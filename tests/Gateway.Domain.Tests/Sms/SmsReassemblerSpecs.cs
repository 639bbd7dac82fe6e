using Gateway.Domain.Sms;

namespace Gateway.Domain.Tests.Sms;

public class SmsReassemblerSpecs
{
    private const string Handset = "+19465559040";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly DateTimeOffset T0 = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Fact]
    public void A_segment_without_concatenation_should_complete_at_once()
    {
        var reassembler = new SmsReassembler(Timeout);

        var result = reassembler.Add(Handset, Gsm("48656C6C6F", udhi: false), T0);

        Assert.Equal(ReassemblyStatus.Completed, result.Status);
        Assert.Equal(new ReassembledSms(Handset, "Hello", SmsEncoding.Gsm7, 1, result.Message!.MissingSegments, T0, T0), result.Message);
        Assert.True(result.Message.IsComplete);
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Theory]
    [InlineData(1, 2, 3)]
    [InlineData(3, 2, 1)]
    [InlineData(2, 3, 1)]
    public void Segments_should_complete_in_any_order(int first, int second, int third)
    {
        var reassembler = new SmsReassembler(Timeout);
        var parts = Parts(0x42, "One ", "two ", "three");

        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, parts[first - 1], T0).Status);
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, parts[second - 1], T0.AddSeconds(1)).Status);
        var result = reassembler.Add(Handset, parts[third - 1], T0.AddSeconds(2));

        Assert.Equal(ReassemblyStatus.Completed, result.Status);
        Assert.Equal("One two three", result.Message!.Text);
        Assert.Equal(3, result.Message.Segments);
        Assert.Equal(T0, result.Message.FirstReceivedAt);
        Assert.Equal(T0.AddSeconds(2), result.Message.LastReceivedAt);
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void A_duplicate_segment_should_be_ignored_while_pending_and_after_completion()
    {
        var reassembler = new SmsReassembler(Timeout);
        var parts = Parts(0x42, "One ", "two");

        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, parts[0], T0).Status);
        Assert.Equal(ReassemblyStatus.Duplicate, reassembler.Add(Handset, parts[0], T0).Status);
        Assert.Equal(ReassemblyStatus.Completed, reassembler.Add(Handset, parts[1], T0).Status);
        // the network repeats a segment whose deliver_sm_resp it lost
        Assert.Equal(ReassemblyStatus.Duplicate, reassembler.Add(Handset, parts[1], T0.AddMinutes(1)).Status);
        Assert.Equal(ReassemblyStatus.Duplicate, reassembler.Add(Handset, parts[0], T0.AddMinutes(1)).Status);
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void A_new_message_reusing_a_reference_should_not_be_taken_for_a_duplicate()
    {
        var reassembler = new SmsReassembler(Timeout);
        foreach (var part in Parts(0x42, "One ", "two"))
            reassembler.Add(Handset, part, T0);

        var again = Parts(0x42, "Six ", "ten");
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, again[1], T0.AddSeconds(5)).Status);
        Assert.Equal("Six ten", reassembler.Add(Handset, again[0], T0.AddSeconds(6)).Message!.Text);
    }

    [Fact]
    public void A_completed_message_should_be_forgotten_one_timeout_later()
    {
        var reassembler = new SmsReassembler(Timeout);
        var parts = Parts(0x42, "One ", "two");
        reassembler.Add(Handset, parts[0], T0);
        reassembler.Add(Handset, parts[1], T0.AddSeconds(1));
        Assert.Equal(T0.AddSeconds(1) + Timeout, reassembler.NextDeadline);

        Assert.Empty(reassembler.Expire(T0.AddSeconds(1) + Timeout));

        Assert.Null(reassembler.NextDeadline);
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, parts[0], T0.AddMinutes(6)).Status);
    }

    [Fact]
    public void Segments_should_be_keyed_by_originator_reference_and_total()
    {
        var reassembler = new SmsReassembler(Timeout);

        reassembler.Add(Handset, Parts(0x42, "A", "B")[0], T0);
        reassembler.Add("+12145555273", Parts(0x42, "C", "D")[1], T0);          // another originator
        reassembler.Add(Handset, Parts(0x43, "E", "F")[1], T0);                 // another reference
        reassembler.Add(Handset, Parts(0x42, "G", "H", "I")[1], T0);            // another total
        reassembler.Add(Handset, Gsm("0608040042020146"), T0);                 // the same value as a 16-bit reference
        Assert.Equal(5, reassembler.PendingCount);

        Assert.Equal("AB", reassembler.Add(Handset, Parts(0x42, "A", "B")[1], T0).Message!.Text);
        Assert.Equal("FG", reassembler.Add(Handset, Gsm("0608040042020247"), T0).Message!.Text);
        Assert.Equal(3, reassembler.PendingCount);
    }

    [Fact]
    public void A_message_with_a_16_bit_reference_should_complete()
    {
        var reassembler = new SmsReassembler(Timeout);

        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, Gsm("0608041234020248"), T0).Status);
        var result = reassembler.Add(Handset, Gsm("0608041234020147"), T0);

        Assert.Equal("GH", result.Message!.Text);
    }

    [Fact]
    public void An_incomplete_message_should_expire_with_what_arrived_and_a_marker_for_each_gap()
    {
        var reassembler = new SmsReassembler(Timeout);
        var parts = Parts(0x42, "Meet ", "me ", "at ", "noon ", "today");
        reassembler.Add(Handset, parts[1], T0);
        reassembler.Add(Handset, parts[2], T0.AddMinutes(1));
        reassembler.Add(Handset, parts[4], T0.AddMinutes(2));
        Assert.Equal(T0 + Timeout, reassembler.NextDeadline);

        Assert.Empty(reassembler.Expire(T0 + Timeout - TimeSpan.FromMilliseconds(1)));
        var expired = Assert.Single(reassembler.Expire(T0 + Timeout));

        Assert.False(expired.IsComplete);
        Assert.Equal([1, 4], expired.MissingSegments);
        Assert.Equal("[…]me at […]today", expired.Text);
        Assert.Equal(5, expired.Segments);
        Assert.Equal(T0, expired.FirstReceivedAt);
        Assert.Equal(0, reassembler.PendingCount);
        // a repeat of a part that arrived is still a duplicate; a late missing part is a message of its own
        Assert.Equal(ReassemblyStatus.Duplicate, reassembler.Add(Handset, parts[2], T0.AddMinutes(6)).Status);
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add(Handset, parts[0], T0.AddMinutes(6)).Status);
    }

    [Fact]
    public void Expire_should_return_incomplete_messages_oldest_first()
    {
        var reassembler = new SmsReassembler(Timeout);
        reassembler.Add("+12145555273", Parts(0x01, "late", "x")[0], T0.AddMinutes(1));
        reassembler.Add(Handset, Parts(0x02, "early", "y")[0], T0);

        var expired = reassembler.Expire(T0.AddHours(1));

        Assert.Equal(["early[…]", "late[…]"], expired.Select(m => m.Text));
    }

    [Fact]
    public void Parts_in_different_encodings_should_join_and_report_ucs2()
    {
        var reassembler = new SmsReassembler(Timeout);
        reassembler.Add(Handset, Gsm("05000301020148656C6C6F20"), T0);
        var result = reassembler.Add(Handset, Ucs2("050003010202D83DDE00"), T0);

        Assert.Equal("Hello 😀", result.Message!.Text);
        Assert.Equal(SmsEncoding.Ucs2, result.Message.Encoding);
    }

    [Fact]
    public void An_escape_or_a_surrogate_pair_a_sender_split_across_parts_should_still_decode()
    {
        var reassembler = new SmsReassembler(Timeout);
        reassembler.Add(Handset, Gsm("05000301020141311B"), T0);
        Assert.Equal("A1€", reassembler.Add(Handset, Gsm("05000301020265"), T0).Message!.Text);

        reassembler.Add(Handset, Ucs2("0500030202010041D83D"), T0);
        Assert.Equal("A😀", reassembler.Add(Handset, Ucs2("050003020202DE00"), T0).Message!.Text);
    }

    [Fact]
    public void A_restored_snapshot_should_carry_on_where_the_reassembler_stopped()
    {
        var reassembler = new SmsReassembler(Timeout);
        var pending = Parts(0x10, "alpha ", "beta ", "gamma");
        var completed = Parts(0x11, "done ", "here");
        reassembler.Add(Handset, pending[2], T0);
        reassembler.Add(Handset, pending[0], T0.AddSeconds(1));
        reassembler.Add(Handset, completed[0], T0);
        reassembler.Add(Handset, completed[1], T0.AddSeconds(2));

        var snapshot = reassembler.ToSnapshot();
        var restored = SmsReassembler.FromSnapshot(snapshot, Timeout);

        Assert.Equal(1, restored.PendingCount);
        Assert.Equal(reassembler.NextDeadline, restored.NextDeadline);
        var pendingEntry = Assert.Single(snapshot.Pending);
        Assert.Equal([1, 3], pendingEntry.Parts.Select(p => p.Sequence));
        Assert.Equal(ReassemblyStatus.Duplicate, restored.Add(Handset, completed[1], T0.AddSeconds(3)).Status);
        Assert.Equal(ReassemblyStatus.Duplicate, restored.Add(Handset, pending[2], T0.AddSeconds(3)).Status);
        var result = restored.Add(Handset, pending[1], T0.AddSeconds(4));
        Assert.Equal("alpha beta gamma", result.Message!.Text);
        Assert.Equal(T0, result.Message.FirstReceivedAt);
    }

    [Fact]
    public void FromSnapshot_should_refuse_an_entry_that_cannot_exist()
    {
        var bad = new ReassemblySnapshot(
            [new ReassemblyEntrySnapshot(Handset, 1, false, 2, T0, T0, [new ReassemblyPartSnapshot(3, SmsEncoding.Gsm7, [0x41])])],
            []);
        Assert.Throws<ArgumentException>(() => SmsReassembler.FromSnapshot(bad, Timeout));
    }

    [Fact]
    public void Add_should_copy_the_payload_so_the_caller_may_reuse_its_buffer()
    {
        var reassembler = new SmsReassembler(Timeout);
        var buffer = Convert.FromHexString("0500030102014142");
        Assert.True(SmsSegmentParser.TryParseShortMessage(DataCodings.Gsm7, true, buffer, out var first, out _));
        reassembler.Add(Handset, first, T0);
        buffer.AsSpan().Fill(0x7F);

        Assert.Equal("ABC", reassembler.Add(Handset, Gsm("05000301020243"), T0).Message!.Text);
    }

    private static SmsSegment[] Parts(byte reference, params string[] texts) =>
        texts.Select((text, i) =>
        {
            var hex = $"050003{reference:X2}{texts.Length:X2}{i + 1:X2}" + Convert.ToHexString(Septets(text));
            return Gsm(hex);
        }).ToArray();

    private static byte[] Septets(string text)
    {
        var septets = new byte[Gsm7Alphabet.CountSeptets(text)];
        Gsm7Alphabet.Encode(text, septets);
        return septets;
    }

    private static SmsSegment Gsm(string hex, bool udhi = true) => Parse(DataCodings.Gsm7, hex, udhi);

    private static SmsSegment Ucs2(string hex) => Parse(DataCodings.Ucs2, hex, udhi: true);

    private static SmsSegment Parse(byte dataCoding, string hex, bool udhi)
    {
        var bytes = Convert.FromHexString(hex);
        Assert.True(SmsSegmentParser.TryParseShortMessage(dataCoding, udhi, bytes, out var segment, out var error), error?.ToString());
        return segment;
    }
}
