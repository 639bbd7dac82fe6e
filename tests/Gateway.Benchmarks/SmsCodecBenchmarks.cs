using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Domain.Sms;

namespace Gateway.Benchmarks;

/// <summary>
/// The SMS codec on the send path (segment and encode a long text: every submit_sm does it) and on the
/// receive path (reassemble a concatenated message: every deliver_sm of a long MO does it). Each benchmark
/// sets <c>OperationsPerInvoke</c> to its segment count, so Mean and Allocated are per segment;
/// segments per second = 1e9 / Mean(ns).
/// </summary>
[MemoryDiagnoser]
public class SmsCodecBenchmarks
{
    /// <summary>Segments of the 1,000-character GSM text: 1,005 septets (5 extension characters) in 153-septet segments.</summary>
    public const int GsmSegments = 7;

    /// <summary>Segments of the 1,000-unit emoji text: 67-unit segments, 5 of them closed a unit early before a surrogate pair.</summary>
    public const int EmojiSegments = 15;

    private const byte Reference = 0x2A;
    private const string Originator = "+15550001111";

    // A fixed shuffle of the 7 GSM segments: the network delivers them in any order.
    private static readonly int[] ArrivalOrder = [4, 0, 6, 2, 5, 1, 3];

    private static readonly DateTimeOffset ReceivedAt = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private string _gsmText = "";
    private string _emojiText = "";
    private SmsSegment[] _shuffled = [];

    [GlobalSetup]
    public void Setup()
    {
        _gsmText = GsmText();
        _emojiText = EmojiText();
        var gsm = Segment(_gsmText, SmsEncoding.Gsm7, GsmSegments);
        Segment(_emojiText, SmsEncoding.Ucs2, EmojiSegments);
        _shuffled = ArrivalOrder.Select(i => gsm[i]).ToArray();

        var message = ReassembleShuffledSegments();
        if (message?.Text != _gsmText)
            throw new InvalidOperationException("The shuffled segments do not reassemble to the text.");
    }

    [Benchmark(OperationsPerInvoke = GsmSegments)]
    public SegmentedSms? SegmentGsmText1000()
    {
        SmsSegmenter.TrySegment(_gsmText, Reference, out var segmented, out _);
        return segmented;
    }

    [Benchmark(OperationsPerInvoke = EmojiSegments)]
    public SegmentedSms? SegmentEmojiText1000()
    {
        SmsSegmenter.TrySegment(_emojiText, Reference, out var segmented, out _);
        return segmented;
    }

    [Benchmark(OperationsPerInvoke = GsmSegments)]
    public ReassembledSms? ReassembleShuffledSegments()
    {
        var reassembler = new SmsReassembler(TimeSpan.FromMinutes(5));
        ReassembledSms? message = null;
        foreach (var segment in _shuffled)
            message = reassembler.Add(Originator, segment, ReceivedAt).Message ?? message;
        return message;
    }

    /// <summary>1,000 characters of letters, digits and punctuation, with 5 extension characters (1,005 septets).</summary>
    private static string GsmText()
    {
        const string Sentence = "Your code 482913 expires at 10:45; reply STOP to opt out. Thanks, ACME Bank (ref #A7-55)! ";
        char[] extensions = ['€', '{', '}', '[', '~'];
        var text = new StringBuilder(1000);
        for (var i = 0; text.Length < 1000; i++)
            text.Append(i % 197 == 196 ? extensions[i / 197 % extensions.Length] : Sentence[i % Sentence.Length]);
        return text.ToString();
    }

    /// <summary>1,000 UTF-16 units of emoji (flags, skin tones, a ZWJ family) mixed with letters: 740 of them surrogates.</summary>
    private static string EmojiText()
    {
        string[] tokens = ["😀", "🎉", "a", "🇺🇸", "❤️", "👍🏽", "b", "🚀", "👩‍👩‍👧", " "];
        var text = new StringBuilder(1000);
        for (var i = 0; text.Length + tokens[i % tokens.Length].Length <= 1000; i++)
            text.Append(tokens[i % tokens.Length]);
        return text.Append('x', 1000 - text.Length).ToString();
    }

    private static SmsSegment[] Segment(string text, SmsEncoding encoding, int expectedSegments)
    {
        if (!SmsSegmenter.TrySegment(text, Reference, out var segmented, out var error))
            throw new InvalidOperationException(error.ToString());
        if (text.Length != 1000 || segmented.Encoding != encoding || segmented.Count != expectedSegments)
            throw new InvalidOperationException(
                $"Expected {expectedSegments} {encoding} segments of 1,000 characters, got {segmented.Count} {segmented.Encoding} of {text.Length}.");
        return [.. segmented.Segments];
    }
}
