using System.Text.Json;
using Gateway.Domain.Errors;

namespace Gateway.Host.Api;

/// <summary>
/// Gives the framework's own bodiless refusals (no such route, wrong method) the gateway's error
/// body, so every 4xx a client sees carries a stable code.
/// </summary>
public static class StatusCodeBodies
{
    // the same text form as the other error bodies (no \u0027 for quotes)
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IApplicationBuilder UseErrorBodiesForStatusCodes(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context =>
        {
            var response = context.HttpContext.Response;
            var request = context.HttpContext.Request;
            var (code, message) = response.StatusCode switch
            {
                StatusCodes.Status404NotFound => (ErrorCodes.NotFound, $"There is no endpoint at '{request.Path}'."),
                StatusCodes.Status405MethodNotAllowed => (ErrorCodes.MethodNotAllowed, $"'{request.Path}' does not accept {request.Method}."),
                _ => (ErrorCodes.HttpError, $"The request was refused with HTTP status {response.StatusCode}."),
            };
            response.ContentType = "application/json; charset=utf-8";
            await response.WriteAsync(JsonSerializer.Serialize(new ErrorBody(new ErrorDetail(code, message)), Json));
        });
}
