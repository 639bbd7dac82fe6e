namespace Gateway.Domain.Sms;

/// <summary>
/// The GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1 and §6.2.1.1),
/// as septet codes. A character of the extension table is sent as two septets: <see cref="Escape"/>
/// then its code.
/// </summary>
public static class Gsm7Alphabet
{
    /// <summary>The escape to the extension table (TS 23.038 §6.2.1, code 0x1B).</summary>
    public const byte Escape = 0x1B;

    /// <summary>Highest septet value.</summary>
    public const byte MaxSeptet = 0x7F;

    // TS 23.038 §6.2.1: the character of each septet code 0x00-0x7F. 0x1B (escape) is never a character
    // of its own; U+001B marks it here and is excluded from the reverse table.
    private const string DefaultTable =
        "@£$¥èéùìòÇ\nØø\rÅå" +
        "Δ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ" +
        " !\"#¤%&'()*+,-./" +
        "0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNO" +
        "PQRSTUVWXYZÄÖÑÜ§" +
        "¿abcdefghijklmno" +
        "pqrstuvwxyzäöñüà";

    // TS 23.038 §6.2.1.1: the characters of the extension table and their codes. 0x0D (CR2) and 0x1B
    // (a further extension) have no character; see DecodeExtension.
    private static readonly (byte Code, char Character)[] ExtensionTable =
    [
        (0x0A, '\f'), (0x14, '^'), (0x28, '{'), (0x29, '}'), (0x2F, '\\'),
        (0x3C, '['), (0x3D, '~'), (0x3E, ']'), (0x40, '|'), (0x65, '€'),
    ];

    private const byte NotRepresentable = 0xFF;
    private const byte ExtensionFlag = 0x80;
    private const char Euro = '€';
    private const int DirectTableSize = 0x400; // every default and extension character except € is below U+0400

    // Character -> code: below 0x80 a default-table code, 0x80|code an extension code, 0xFF none.
    private static readonly byte[] EncodeTable = BuildEncodeTable();
    private static readonly char[] ExtensionDecodeTable = BuildExtensionDecodeTable();

    /// <summary>The character of a default-table septet (0x1B gives U+001B; callers treat it as escape).</summary>
    public static char DecodeDefault(byte septet) => DefaultTable[septet & MaxSeptet];

    /// <summary>
    /// The character of an escaped septet. TS 23.038 §6.2.1.1: a code the extension table does not
    /// define is shown as the default-table character of the same code; 0x1B 0x1B (reserved for a
    /// further extension table) is shown as a space.
    /// </summary>
    public static char DecodeExtension(byte septet)
    {
        var code = septet & MaxSeptet;
        if (code == Escape)
            return ' ';
        var character = ExtensionDecodeTable[code];
        return character != '\0' ? character : DefaultTable[code];
    }

    /// <summary>The septets a character costs: 1 (default table), 2 (extension table) or 0 (not representable).</summary>
    public static int SeptetCost(char character)
    {
        var entry = Lookup(character);
        return entry == NotRepresentable ? 0 : (entry & ExtensionFlag) != 0 ? 2 : 1;
    }

    /// <summary>
    /// How many septets <paramref name="text"/> needs, or -1 when a character is not in the alphabet.
    /// </summary>
    public static int CountSeptets(ReadOnlySpan<char> text)
    {
        var septets = 0;
        foreach (var character in text)
        {
            var entry = Lookup(character);
            if (entry == NotRepresentable)
                return -1;
            septets += (entry & ExtensionFlag) != 0 ? 2 : 1;
        }
        return septets;
    }

    /// <summary>Whether every character of <paramref name="text"/> is in the default or extension table.</summary>
    public static bool CanEncode(ReadOnlySpan<char> text) => CountSeptets(text) >= 0;

    /// <summary>
    /// Writes the septets of <paramref name="text"/>, one per byte (unpacked), and returns how many.
    /// The text must be representable (<see cref="CanEncode"/>) and the destination large enough.
    /// </summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var written = 0;
        foreach (var character in text)
        {
            var entry = Lookup(character);
            if (entry == NotRepresentable)
                throw new ArgumentException($"U+{(int)character:X4} is not in the GSM 7-bit alphabet.", nameof(text));
            if ((entry & ExtensionFlag) != 0)
            {
                destination[written++] = Escape;
                destination[written++] = (byte)(entry & MaxSeptet);
            }
            else
            {
                destination[written++] = entry;
            }
        }
        return written;
    }

    /// <summary>
    /// Decodes unpacked septets (one per byte; the eighth bit is ignored) into <paramref name="destination"/>,
    /// which must hold <see cref="CountCharacters"/> characters, and returns how many were written.
    /// An escape at the very end has no character to select and is dropped.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> septets, Span<char> destination)
    {
        var written = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = (byte)(septets[i] & MaxSeptet);
            if (septet != Escape)
                destination[written++] = DefaultTable[septet];
            else if (++i < septets.Length)
                destination[written++] = DecodeExtension(septets[i]);
        }
        return written;
    }

    /// <summary>Decodes unpacked septets into a string.</summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        var length = CountCharacters(septets);
        if (length == 0)
            return string.Empty;
        var buffer = length <= 256 ? stackalloc char[length] : new char[length];
        Decode(septets, buffer);
        return new string(buffer);
    }

    /// <summary>How many characters <see cref="Decode"/> gives for these septets.</summary>
    public static int CountCharacters(ReadOnlySpan<byte> septets)
    {
        var characters = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            if ((septets[i] & MaxSeptet) != Escape)
                characters++;
            else if (++i < septets.Length)
                characters++;
        }
        return characters;
    }

    /// <summary>Every character of the default table (without the escape) and of the extension table.</summary>
    public static IEnumerable<char> Characters()
    {
        foreach (var character in DefaultTable)
        {
            if (character != '\u001B')
                yield return character;
        }
        foreach (var (_, character) in ExtensionTable)
            yield return character;
    }

    private static byte Lookup(char character) =>
        character < DirectTableSize ? EncodeTable[character]
        : character == Euro ? (byte)(ExtensionFlag | 0x65)
        : NotRepresentable;

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[DirectTableSize];
        Array.Fill(table, NotRepresentable);
        for (var code = 0; code < DefaultTable.Length; code++)
        {
            if (code != Escape)
                table[DefaultTable[code]] = (byte)code;
        }
        foreach (var (code, character) in ExtensionTable)
        {
            if (character < DirectTableSize)
                table[character] = (byte)(ExtensionFlag | code);
        }
        return table;
    }

    private static char[] BuildExtensionDecodeTable()
    {
        var table = new char[MaxSeptet + 1];
        foreach (var (code, character) in ExtensionTable)
            table[code] = character;
        return table;
    }
}
