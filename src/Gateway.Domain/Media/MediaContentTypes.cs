using System.Collections.Frozen;

namespace Gateway.Domain.Media;

/// <summary>The MMS content types the seed's "Supported MMS file types" lists, and no others.</summary>
public static class MediaContentTypes
{
    private static readonly string[] InSeedOrder =
    [
        "application/json", "application/ogg", "application/pdf", "application/rtf", "application/zip",
        "application/x-tar", "application/xml", "application/gzip", "application/x-bzip2", "application/x-gzip",
        "application/smil",
        "text/plain", "text/javascript", "text/css", "text/csv", "text/cal", "text/html", "text/vcard",
        "text/x-vcard", "text/vnd.wap.wml", "text/rtf", "text/xml",
        "audio/mp4", "audio/mpeg", "audio/ogg", "audio/flac", "audio/wav", "audio/amr", "audio/3gpp",
        "image/bmp", "image/gif", "image/jpeg", "image/png", "image/svg+xml", "image/tiff", "image/webp", "image/x-icon",
        "video/mp4", "video/mpeg", "video/ogg", "video/quicktime", "video/webm", "video/x-ms-wmv", "video/x-flv",
    ];

    /// <summary>The supported <c>type/subtype</c> values, lowercase; lookups ignore case.</summary>
    public static IReadOnlySet<string> Supported { get; } = InSeedOrder.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>The supported types in the seed's order, comma-separated, for error messages.</summary>
    public static string Description { get; } = string.Join(", ", InSeedOrder);

    /// <summary>Whether <paramref name="mimeType"/> (<c>type/subtype</c>, no parameters) is supported, ignoring case.</summary>
    public static bool IsSupported(string mimeType) => Supported.Contains(mimeType);
}
