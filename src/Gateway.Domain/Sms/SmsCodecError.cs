namespace Gateway.Domain.Sms;

/// <summary>What is wrong with a segment or a text, as the codec reports it.</summary>
public enum SmsCodecErrorCode
{
    /// <summary>The user data header's lengths do not add up (UDHL past the end, an IE past the UDH, a wrong IE length, a repeated concatenation IE).</summary>
    MalformedUdh,
    /// <summary>The concatenation IE has a total of 0, or a sequence number of 0 or above the total.</summary>
    InvalidConcatenation,
    /// <summary>The UDH asks for something the gateway does not carry (application ports, national language shift tables).</summary>
    UnsupportedUdh,
    /// <summary>The data coding is not GSM 7-bit or UCS-2.</summary>
    UnsupportedDataCoding,
    /// <summary>The payload is shorter than its lengths say, or a UCS-2 payload has an odd number of octets.</summary>
    TruncatedPayload,
    /// <summary>A GSM 7-bit payload octet is above 0x7F.</summary>
    InvalidSeptet,
    /// <summary>The user data is longer than one SMS carries (140 octets; 160 septets).</summary>
    UserDataTooLong,
    /// <summary>The text needs more than 255 segments.</summary>
    TooManySegments,
}

/// <summary>
/// The codec's own error: every malformed input ends here, never in an exception. <see cref="Code"/>
/// gives the stable snake_case name (<c>malformed_udh</c>, ...).
/// </summary>
public sealed record SmsCodecError(SmsCodecErrorCode Kind, string Message)
{
    public string Code => Kind switch
    {
        SmsCodecErrorCode.MalformedUdh => "malformed_udh",
        SmsCodecErrorCode.InvalidConcatenation => "invalid_concatenation",
        SmsCodecErrorCode.UnsupportedUdh => "unsupported_udh",
        SmsCodecErrorCode.UnsupportedDataCoding => "unsupported_data_coding",
        SmsCodecErrorCode.TruncatedPayload => "truncated_payload",
        SmsCodecErrorCode.InvalidSeptet => "invalid_septet",
        SmsCodecErrorCode.UserDataTooLong => "user_data_too_long",
        SmsCodecErrorCode.TooManySegments => "too_many_segments",
        _ => throw new InvalidOperationException($"Unknown codec error {Kind}."),
    };

    public override string ToString() => $"{Code}: {Message}";
}
