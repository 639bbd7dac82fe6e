using System.Text.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Gateway.Engine.Configuration;
using Gateway.Engine.Health;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Subscribers;
using Gateway.Host.Lifecycle;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.Host.Health;

/// <summary>This node is an <c>Up</c> member of the cluster.</summary>
public sealed class ClusterMemberUpCheck(ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = Cluster.Get(system).SelfMember.Status;
        return Task.FromResult(status == MemberStatus.Up
            ? HealthCheckResult.Healthy("up")
            : HealthCheckResult.Unhealthy(status.ToString().ToLowerInvariant()));
    }
}

/// <summary>The journal answers a read within <c>gateway.readiness.journal-timeout</c>.</summary>
public sealed class JournalAnswersCheck(ActorSystem system, GatewaySettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await JournalHealth.AnswersAsync(system, settings.Readiness.JournalTimeout, cancellationToken)
            ? HealthCheckResult.Healthy("answers")
            : HealthCheckResult.Unhealthy("no answer");
}

/// <summary>This node's provisioning directory has read the journal once, so lookups see every subscriber.</summary>
public sealed class ProvisioningLoadedCheck(ProvisioningDirectory directory) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(directory.IsLoaded
            ? HealthCheckResult.Healthy("loaded")
            : HealthCheckResult.Unhealthy("loading"));
}

/// <summary>
/// This node's subscriber shard region is registered with the shard coordinator, so the coordinator
/// can give it shards and route its requests; without a coordinator the region answers no regions.
/// </summary>
public sealed class SubscriberRegionRegisteredCheck(ActorSystem system, GatewaySettings settings) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!ActorRegistry.For(system).TryGet<SubscriberRegion>(out var region))
            return HealthCheckResult.Unhealthy("starting");
        try
        {
            var current = await region.Ask<CurrentRegions>(GetCurrentRegions.Instance, settings.Readiness.RegionTimeout, cancellationToken);
            return current.Regions.Contains(Cluster.Get(system).SelfAddress)
                ? HealthCheckResult.Healthy("registered")
                : HealthCheckResult.Unhealthy("not registered");
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("no coordinator");
        }
    }
}

/// <summary>
/// The node is not leaving: neither a graceful leave has begun (SIGTERM) nor Akka.NET's
/// CoordinatedShutdown (for instance after the Split Brain Resolver downed this node).
/// </summary>
public sealed class NotLeavingCheck(NodeLeaving leaving, ActorSystem system) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(leaving.HasBegun || CoordinatedShutdown.Get(system).ShutdownReason is not null
            ? HealthCheckResult.Unhealthy("leaving")
            : HealthCheckResult.Healthy("serving"));
}

/// <summary><c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (the node can take traffic).</summary>
public static class HealthApi
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<NotLeavingCheck>("leaving", tags: [ReadyTag])
            .AddCheck<ClusterMemberUpCheck>("cluster", tags: [ReadyTag])
            .AddCheck<SubscriberRegionRegisteredCheck>("sharding", tags: [ReadyTag])
            .AddCheck<JournalAnswersCheck>("journal", tags: [ReadyTag])
            .AddCheck<ProvisioningLoadedCheck>("provisioning", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = WriteReport,
        }).WithTags("Operations")
            .WithName("Healthz")
            .WithSummary("Liveness: the process answers")
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Api.HealthReportBody), ["application/json"])
            {
                Description = "The process answers: `{\"status\": \"ok\", \"checks\": {}}`.",
            });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        }).WithTags("Operations")
            .WithName("Readyz")
            .WithSummary("Readiness: not leaving, cluster member up, shard region registered, journal answering, provisioning loaded")
            .WithMetadata(
                new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(Api.HealthReportBody), ["application/json"])
                {
                    Description = "The node can take traffic; `checks` has `leaving`, `cluster`, `sharding`, `journal` and `provisioning`.",
                },
                new ProducesResponseTypeMetadata(StatusCodes.Status503ServiceUnavailable, typeof(Api.HealthReportBody), ["application/json"])
                {
                    Description = "The node cannot take traffic (starting, or leaving the cluster): `status` is `unavailable` and `checks` says which check failed.",
                });
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            status = report.Status == HealthStatus.Healthy ? "ok" : "unavailable",
            checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString()),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}
