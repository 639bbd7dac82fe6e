using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Gateway.DemoPartner;

/// <summary>
/// A partner platform's webhook endpoint for demos: it takes the gateway's origination POSTs on any
/// path, answers <c>200</c>, prints one line per message and shows the last ones on <c>GET /received</c>.
/// </summary>
public static class DemoPartnerApp
{
    public static WebApplication Create(DemoPartnerSettings settings, TextWriter output, string[]? args = null)
    {
        var builder = WebApplication.CreateBuilder(args ?? []);
        // one line per message is the output; ASP.NET Core's per-request logging would bury it
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(new ReceivedMessages(settings.Keep));

        var app = builder.Build();
        app.Urls.Clear();
        foreach (var url in settings.Urls)
            app.Urls.Add(url);

        var lines = TextWriter.Synchronized(output);
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/received", (ReceivedMessages received) => Results.Ok(received.Snapshot()));
        app.MapPost("/{**path}", (HttpContext context, ReceivedMessages received) => ReceiveAsync(context, settings, received, lines));
        return app;
    }

    private static async Task<IResult> ReceiveAsync(HttpContext context, DemoPartnerSettings settings, ReceivedMessages received, TextWriter lines)
    {
        if (settings.Token is not null && !CarriesBearer(context.Request, settings.Token))
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await lines.WriteLineAsync($"refused 401 (no or wrong bearer token) path={context.Request.Path}");
            return Results.Unauthorized();
        }

        JsonElement body;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            body = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            await lines.WriteLineAsync($"refused 400 (body is not JSON) path={context.Request.Path}");
            return Results.BadRequest();
        }
        if (body.ValueKind != JsonValueKind.Object)
        {
            await lines.WriteLineAsync($"refused 400 (body is not a JSON object) path={context.Request.Path}");
            return Results.BadRequest();
        }

        if (settings.Fail)
        {
            await lines.WriteLineAsync($"refused 503 ({DemoPartnerSettings.FailVariable}=true) {Describe(body)}");
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }

        received.Add(new ReceivedMessage(DateTimeOffset.UtcNow, context.Request.Path.Value ?? "/", body));
        await lines.WriteLineAsync($"received {Describe(body)}");
        return Results.Ok();
    }

    private static bool CarriesBearer(HttpRequest request, string token)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase)
            || header.Parameter is null)
            return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header.Parameter), Encoding.UTF8.GetBytes(token));
    }

    private static string Describe(JsonElement body)
    {
        var to = body.TryGetProperty("to", out var list) && list.ValueKind == JsonValueKind.Array
            ? string.Join(',', list.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String ? item.GetString() : item.GetRawText()))
            : "?";
        var text = Text(body, "text") ?? "";
        var media = body.TryGetProperty("media", out var items) && items.ValueKind == JsonValueKind.Array ? items.GetArrayLength() : 0;
        return string.Create(CultureInfo.InvariantCulture,
            $"id={Text(body, "id") ?? "?"} from={Text(body, "from") ?? "?"} to={to} text={text.EnumerateRunes().Count()} chars media={media}");
    }

    private static string? Text(JsonElement body, string property) =>
        body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
