using Gateway.Domain.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.Host.Api;

/// <summary>The error body of every 4xx and 503 answer: <c>{"error": {"code": "...", "message": "..."}}</c>.</summary>
public sealed record ErrorBody(ErrorDetail Error);

public sealed record ErrorDetail(string Code, string Message);

/// <summary>An HTTP refusal: status, stable code, human message.</summary>
public sealed record ApiError(int Status, string Code, string Message)
{
    public static ApiError From(DomainError error) => new(error.Kind switch
    {
        ErrorKind.Invalid => StatusCodes.Status400BadRequest,
        ErrorKind.NotFound => StatusCodes.Status404NotFound,
        ErrorKind.Conflict => StatusCodes.Status409Conflict,
        ErrorKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorKind.UnsupportedType => StatusCodes.Status415UnsupportedMediaType,
        _ => StatusCodes.Status400BadRequest,
    }, error.Code, error.Message);

    public static ApiError BadRequest(string code, string message) => new(StatusCodes.Status400BadRequest, code, message);

    public static ApiError NotFound(string what) =>
        new(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"{what} does not exist.");

    public JsonHttpResult<ErrorBody> ToResult() =>
        TypedResults.Json(new ErrorBody(new ErrorDetail(Code, Message)), statusCode: Status);
}
