using System.Security.Cryptography;
using System.Text;

namespace Gateway.Domain.Provisioning;

/// <summary>
/// The rule for bearer tokens the gateway stores: 1 to 512 visible ASCII characters (no spaces or
/// control characters), so the token fits an <c>Authorization: Bearer</c> header unchanged.
/// </summary>
public static class BearerTokenRule
{
    public const int MaxLength = 512;
    public const string Description = "1 to 512 visible ASCII characters without spaces";

    /// <summary>The placeholder that responses show instead of a secret.</summary>
    public const string Redacted = "***";

    public static bool IsValid(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.Length > MaxLength || text == Redacted)
            return false;
        foreach (var c in text)
        {
            if (c is < '!' or > '~')
                return false;
        }
        return true;
    }
}

/// <summary>
/// A token the gateway must send somewhere (a partner's <c>securityToken</c>, a recording server's
/// <c>authenticationKey</c>). Its <see cref="ToString"/> is redacted so that logging a record that
/// holds one (a dead letter, a debug line) never prints it.
/// </summary>
public readonly record struct Secret(string Value)
{
    public override string ToString() => BearerTokenRule.Redacted;
}

/// <summary>
/// The SHA-256 digest of a partner's <c>clientSecret</c>. The gateway only ever compares the secret
/// that partners send, so it stores the digest, never the secret itself. Secrets are chosen by
/// operators as high-entropy tokens, which is what makes an unsalted fast hash adequate here.
/// </summary>
public readonly record struct SecretDigest(string Hex)
{
    public static SecretDigest Of(string secret)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(secret), hash);
        return new SecretDigest(Convert.ToHexStringLower(hash));
    }

    /// <summary>Compares in constant time, so a response's timing tells nothing about the stored digest.</summary>
    public bool FixedTimeEquals(SecretDigest other) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hex), Encoding.ASCII.GetBytes(other.Hex));

    public override string ToString() => BearerTokenRule.Redacted;
}
