using Akka.Hosting;
using Gateway.Engine.Configuration;
using Gateway.Engine.Hosting;
using Gateway.Host.Api;
using Gateway.Host.Auth;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// Content (appsettings.json) ships next to the binary; the working directory stays the caller's, so
// the default data folder ./data is where the node was started (README: the repository root).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args,
    ContentRootPath = AppContext.BaseDirectory,
});

// settings: hocon/ under the GATEWAY_* environment variables
builder.Services.AddGatewayNodeConfiguration();
builder.Services.AddSingleton<AdminToken>();
builder.Services.AddProvisioningDirectory();
builder.Services.AddGatewayHealthChecks();

// the Akka.NET node: cluster member, journal, provisioning
builder.Services.AddAkka(ClusterSettings.SystemName, (akka, services) =>
{
    var node = services.GetRequiredService<GatewayNodeConfiguration>();
    akka.WithGatewayNode(node.Config, node.Settings)
        .WithProvisioning(node.Settings.Provisioning)
        .ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
});

var app = builder.Build();

GatewaySettings settings;
try
{
    settings = app.Services.GetRequiredService<GatewaySettings>();
    Directory.CreateDirectory(settings.DataDirectory);
    _ = app.Services.GetRequiredService<AdminToken>();
}
catch (GatewayConfigurationException e)
{
    await Console.Error.WriteLineAsync($"gateway: configuration error: {e.Message}");
    return 2;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    await Console.Error.WriteLineAsync($"gateway: the data folder cannot be used: {e.Message}");
    return 2;
}

// Kestrel listens where gateway.http.urls says (a test server has no addresses to set)
if (app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>() is { } addresses)
{
    addresses.Addresses.Clear();
    foreach (var url in settings.Http.Urls)
        addresses.Addresses.Add(url);
}

// routes
app.UseErrorBodiesForStatusCodes();
app.MapHealthApi();
app.MapAdminApi();

await app.RunAsync();
return 0;
