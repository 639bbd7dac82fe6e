namespace Gateway.Domain.Sms;

/// <summary>The alphabet a segment's text is coded in.</summary>
public enum SmsEncoding
{
    /// <summary>GSM 7-bit default alphabet with its extension table (3GPP TS 23.038 §6.2.1).</summary>
    Gsm7,
    /// <summary>UCS-2, sent as UTF-16BE so that characters outside the BMP travel as surrogate pairs (TS 23.038 §6.2.3).</summary>
    Ucs2,
}

/// <summary>
/// The SMPP <c>data_coding</c> values the gateway sends and accepts (SMPP v3.4 §5.2.19), and the
/// TP-DCS interpretation of the air interface (3GPP TS 23.038 §4).
/// </summary>
public static class DataCodings
{
    /// <summary>SMPP 0x00, "SMSC default alphabet": GSM 7-bit, one septet per octet of <c>short_message</c>.</summary>
    public const byte Gsm7 = 0x00;

    /// <summary>SMPP 0x08, and TP-DCS general group with the UCS-2 alphabet.</summary>
    public const byte Ucs2 = 0x08;

    public static byte For(SmsEncoding encoding) => encoding == SmsEncoding.Ucs2 ? Ucs2 : Gsm7;

    /// <summary>
    /// The encoding of an SMPP <c>data_coding</c>: only 0x00 and 0x08. The other SMPP values
    /// (IA5, Latin-1, octet data, ...) are not text a handset shows as an SMS of this gateway, and
    /// 8-bit data is binary SMS, which the gateway does not carry.
    /// </summary>
    public static bool TryGetSmppEncoding(byte dataCoding, out SmsEncoding encoding)
    {
        encoding = dataCoding == Ucs2 ? SmsEncoding.Ucs2 : SmsEncoding.Gsm7;
        return dataCoding is Gsm7 or Ucs2;
    }

    /// <summary>
    /// The alphabet of a TP-DCS octet (TS 23.038 §4): the general data coding groups (00xx, and 01xx
    /// "marked for automatic deletion") without compression, and the data coding / message class
    /// group (1111). 8-bit data, compressed text, the message waiting groups (1100-1110) and the
    /// reserved groups are refused.
    /// </summary>
    public static bool TryGetTpDcsEncoding(byte dcs, out SmsEncoding encoding)
    {
        encoding = SmsEncoding.Gsm7;
        switch (dcs >> 4)
        {
            case <= 0x7: // 0xxx: general data coding; bit 5 = compressed, bits 3-2 = alphabet
                if ((dcs & 0x20) != 0)
                    return false;
                switch ((dcs >> 2) & 0x03)
                {
                    case 0b00:
                        return true;
                    case 0b10:
                        encoding = SmsEncoding.Ucs2;
                        return true;
                    default:
                        return false;
                }
            case 0xF: // 1111: bit 2 = message coding (0 = GSM 7-bit, 1 = 8-bit data); bit 3 reserved
                return (dcs & 0x0C) == 0;
            default:
                return false;
        }
    }
}
