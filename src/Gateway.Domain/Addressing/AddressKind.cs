namespace Gateway.Domain.Addressing;

/// <summary>Which form a <see cref="SenderAddress"/> or <see cref="RecipientAddress"/> has.</summary>
/// <remarks>Numbered from 1 so that the <c>default</c> of an address struct has no valid kind.</remarks>
public enum AddressKind
{
    /// <summary><c>+</c> then 8 to 15 digits (<see cref="E164Number"/>).</summary>
    E164 = 1,
    /// <summary>5 or 6 digits (<see cref="Addressing.ShortCode"/>).</summary>
    ShortCode = 2,
    /// <summary>1 to 11 letters, digits and spaces starting with a letter (<see cref="AlphanumericSender"/>).</summary>
    Alphanumeric = 3,
}
