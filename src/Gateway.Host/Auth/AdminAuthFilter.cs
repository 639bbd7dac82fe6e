using Gateway.Domain.Errors;
using Gateway.Host.Api;
using Microsoft.Net.Http.Headers;

namespace Gateway.Host.Auth;

/// <summary>Lets a request through only with <c>Authorization: Bearer &lt;admin token&gt;</c>; otherwise 401.</summary>
public sealed class AdminAuthFilter(AdminToken adminToken) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (BearerToken.TryRead(context.HttpContext.Request, out var token) && adminToken.Matches(token))
            return await next(context);

        context.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer realm=\"gateway-admin\"";
        return new ApiError(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized,
            "This endpoint needs 'Authorization: Bearer <admin token>' with the node's admin token.").ToResult();
    }
}
