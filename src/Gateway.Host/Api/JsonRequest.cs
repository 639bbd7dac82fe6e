using System.Buffers;
using System.Text.Json;
using Gateway.Domain.Errors;
using Microsoft.Net.Http.Headers;

namespace Gateway.Host.Api;

/// <summary>
/// Reads a JSON object request body with the checks in the contract's order: size (413), then
/// <c>Content-Type</c> (415), then JSON syntax and shape (400). The body is read into a buffer of
/// at most the allowed size; a larger body is refused without being buffered.
/// </summary>
public static class JsonRequest
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    public static async Task<(JsonDocument? Document, ApiError? Error)> ReadObjectAsync(
        HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            return (null, TooLarge(maxBytes));
        if (!IsJson(request.ContentType))
            return (null, new ApiError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "The request body must be JSON, sent with 'Content-Type: application/json'."));

        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken);
            if (read == 0)
                break;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes)
                return (null, TooLarge(maxBytes));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.WrittenMemory, DocumentOptions);
        }
        catch (JsonException e)
        {
            return (null, ApiError.BadRequest(ErrorCodes.MalformedJson, $"The request body is not valid JSON: {e.Message}"));
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiError.BadRequest(ErrorCodes.BodyNotObject, "The request body must be a JSON object ({...})."));
        }
        return (document, null);
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MediaType.Value is not { } type)
            return false;
        if (mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
            return false;
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               type.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static ApiError TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
            $"The request body is larger than the {maxBytes:N0} bytes allowed here.");
}
