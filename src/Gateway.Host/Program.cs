using Akka.Hosting;
using Gateway.Engine.Configuration;
using Gateway.Engine.Delivery;
using Gateway.Engine.Hosting;
using Gateway.Engine.Subscribers;
using Gateway.Host.Api;
using Gateway.Host.Auth;
using Gateway.Host.Configuration;
using Gateway.Host.Health;
using Gateway.Host.Lifecycle;
using Gateway.Host.Limits;
using Gateway.Northbound.Configuration;
using Gateway.Northbound.MessageCopies;
using Gateway.Northbound.Webhooks;
using Gateway.Southbound.Configuration;
using Gateway.Southbound.Simulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Prometheus;

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
builder.Services.AddGracefulLeave();
builder.Services.AddGatewayOpenApi();

// the ports the subscriber entities deliver through: the embedded network simulator (the default
// southbound network, one network across the cluster) and the partner webhook client
builder.Services.AddNetworkSimulator();
builder.Services.AddSingleton<IPartnerWebhook>(sp => new PartnerWebhookClient(sp.GetRequiredService<WebhookSettings>()));
builder.Services.AddSingleton<IOriginationIngress, SubscriberIngress>();

// the gateway's own tables next to the journal: message status view, idempotency keys, Message Copy backlog
builder.Services.AddMessageStatus();
builder.Services.AddMessageCopyOffload();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton(sp => new PartnerIngressLimiter(sp.GetRequiredService<GatewaySettings>().PartnerApi));
builder.Services.AddSingleton(sp => new InFlightLimiter(sp.GetRequiredService<GatewaySettings>().PartnerApi));

// the Akka.NET node: cluster member, journal, provisioning, subscriber entities
builder.Services.AddAkka(ClusterSettings.SystemName, (akka, services) =>
{
    var node = services.GetRequiredService<GatewayNodeConfiguration>();
    akka.WithGatewayNode(node.Config, node.Settings)
        .WithProvisioning(node.Settings.Provisioning)
        .WithNetworkSimulator(services.GetRequiredService<SimulatedMobileNetwork>(), services.GetRequiredService<ReplicatedHandsetReachability>())
        .WithSubscribers(services.GetRequiredService<SubscriberSettings>())
        .WithMessageStatusProjection(node.Settings)
        .WithMessageCopyOffload(node.Settings.Provisioning)
        .ConfigureLoggers(loggers =>
        {
            loggers.ClearLoggers();
            loggers.AddLoggerFactory();
        });
});

MeterExport.Start();

var app = builder.Build();

GatewaySettings settings;
try
{
    settings = app.Services.GetRequiredService<GatewaySettings>();
    _ = app.Services.GetRequiredService<SubscriberSettings>();
    _ = app.Services.GetRequiredService<WebhookSettings>();
    _ = app.Services.GetRequiredService<MessageCopySettings>();
    _ = app.Services.GetRequiredService<NetworkSettings>();
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
app.MapQueueApi();
app.MapMessageCopyApi();
app.MapPartnerApi();
app.MapSimulatorApi();
app.MapGatewayOpenApi();
// Prometheus text: every .NET meter (the gateway's "Gateway" meter, the runtime's) through prometheus-net
app.MapMetrics("/metrics")
    .WithTags("Operations")
    .WithName("Metrics")
    .WithSummary("Metrics in the Prometheus text format (docs/architecture.md, Operations)")
    .WithMetadata(new Microsoft.AspNetCore.Http.ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), ["text/plain"])
    {
        Description = "`gateway_messages_*` and `gateway_copies_*` series, and the .NET runtime's.",
    });

try
{
    await app.RunAsync();
}
catch (OperationCanceledException)
{
    // SIGTERM while the node was still starting (Kestrel binding): nothing was accepted yet; a clean stop
    await Console.Error.WriteLineAsync("gateway: stopped while starting");
}
return 0;
