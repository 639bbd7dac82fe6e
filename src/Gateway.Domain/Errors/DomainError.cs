namespace Gateway.Domain.Errors;

/// <summary>
/// What kind of failure a <see cref="DomainError"/> is; the HTTP layer maps each kind to one status.
/// </summary>
public enum ErrorKind
{
    /// <summary>The input is malformed or breaks a rule (400).</summary>
    Invalid,
    /// <summary>The addressed resource does not exist (404).</summary>
    NotFound,
    /// <summary>The input is valid but clashes with what is stored (409).</summary>
    Conflict,
    /// <summary>The input is over a size limit (413).</summary>
    TooLarge,
    /// <summary>The input has a type the gateway does not handle (415).</summary>
    UnsupportedType,
}

/// <summary>
/// A refusal with a stable, snake_case <paramref name="Code"/> (documented in docs/errors.md) and a
/// message for the partner's or operator's developer: which field, what was wrong, what is allowed.
/// Messages never contain secrets.
/// </summary>
public sealed record DomainError(ErrorKind Kind, string Code, string Message)
{
    public static DomainError Invalid(string code, string message) => new(ErrorKind.Invalid, code, message);
    public static DomainError NotFound(string code, string message) => new(ErrorKind.NotFound, code, message);
    public static DomainError Conflict(string code, string message) => new(ErrorKind.Conflict, code, message);
    public static DomainError TooLarge(string code, string message) => new(ErrorKind.TooLarge, code, message);
    public static DomainError UnsupportedType(string code, string message) => new(ErrorKind.UnsupportedType, code, message);
}
