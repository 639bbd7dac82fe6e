using Gateway.Domain.Errors;

namespace Gateway.Domain.Media;

/// <summary>
/// Decodes a media item's base64 <c>content</c> against the message's <see cref="MediaBudget"/>.
/// The decoded size is computed from the text before any byte is allocated, so an oversize item costs
/// one scan of the string and nothing more.
/// </summary>
public static class MediaDecoder
{
    /// <summary>
    /// The decoded bytes of <paramref name="content"/>, reserved from <paramref name="budget"/>. Refusals, in
    /// this order: <c>missing_field</c> (null), <c>empty_media</c> (nothing but whitespace),
    /// <c>invalid_base64</c> (400), <c>media_too_large</c> (413, the budget is left unchanged).
    /// Standard base64 with <c>=</c> padding; spaces, tabs, CR and LF anywhere are ignored (MIME line
    /// wrapping), as <see cref="Convert.FromBase64String"/> does.
    /// </summary>
    public static Result<byte[]> Decode(string field, string? content, MediaBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        if (content is null)
            return DomainError.Invalid(ErrorCodes.MissingField, $"Field '{field}' is required.");

        var significant = 0;
        var padding = 0;
        foreach (var c in content)
        {
            if (c is ' ' or '\t' or '\r' or '\n')
                continue;
            significant++;
            if (c == '=')
            {
                if (++padding > 2)
                    return InvalidBase64(field, "has more than two '=' padding characters");
            }
            else if (padding > 0)
                return InvalidBase64(field, "has characters after its '=' padding");
            else if (!IsBase64Letter(c))
                return InvalidBase64(field, "may hold only A-Z, a-z, 0-9, '+', '/', '=' padding and whitespace");
        }
        if (significant == 0)
            return DomainError.Invalid(ErrorCodes.EmptyMedia,
                $"Field '{field}' is empty; a media item must have at least one byte of content.");
        if (significant % 4 != 0)
            return InvalidBase64(field, "must have a multiple of 4 base64 characters (padded with '=')");

        var length = significant / 4 * 3 - padding;
        if (length > budget.RemainingBytes)
            return DomainError.TooLarge(ErrorCodes.MediaTooLarge,
                $"Field '{field}' decodes to {length} bytes, but only {budget.RemainingBytes} of the message's " +
                $"{budget.LimitBytes} bytes of media are left.");

        var bytes = new byte[length];
        // The scan above lets through only what Convert accepts; this guards against a disagreement.
        if (!Convert.TryFromBase64Chars(content, bytes, out var written) || written != length)
            return InvalidBase64(field, "is not valid base64");
        budget.TryReserve(length); // fits: checked above
        return bytes;
    }

    private static bool IsBase64Letter(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    private static DomainError InvalidBase64(string field, string problem) =>
        DomainError.Invalid(ErrorCodes.InvalidBase64, $"Field '{field}' {problem}.");
}
