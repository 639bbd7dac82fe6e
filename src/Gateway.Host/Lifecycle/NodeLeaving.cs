using Gateway.Engine.Configuration;

namespace Gateway.Host.Lifecycle;

/// <summary>
/// The first step of a graceful leave (SIGTERM, Ctrl-C): before any service stops, the node starts
/// answering <c>/readyz</c> with 503 and keeps serving for <see cref="ShutdownSettings.DrainDelay"/>, so a
/// load balancer stops sending it requests before it stops taking them. The steps after it are the
/// host's own order (docs/cluster.md): Kestrel stops taking connections and finishes the requests under
/// way, then Akka.NET's CoordinatedShutdown hands the node's shards off (each subscriber entity finishes
/// its delivery under way first), hands the singletons over, leaves the cluster and exits.
/// </summary>
public sealed class NodeLeaving(GatewaySettings settings, ILogger<NodeLeaving> logger) : IHostedLifecycleService
{
    private volatile bool _begun;

    /// <summary>The node is leaving: it must not be sent new traffic.</summary>
    public bool HasBegun => _begun;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        _begun = true;
        var drain = settings.Shutdown.DrainDelay;
        logger.LogInformation("Leaving the cluster: /readyz answers 503; still serving for {DrainDelay}", drain);
        try
        {
            await Task.Delay(drain, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // the host's shutdown timeout ran out: go on with the leave
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public static class NodeLeavingExtensions
{
    /// <summary>
    /// The leave's first step, and the host's shutdown timeout from <c>gateway.shutdown.timeout</c>
    /// (.NET's default of 30 s could cut a hand-off short).
    /// </summary>
    public static IServiceCollection AddGracefulLeave(this IServiceCollection services)
    {
        services.AddSingleton<NodeLeaving>();
        services.AddHostedService(sp => sp.GetRequiredService<NodeLeaving>());
        services.AddOptions<HostOptions>().Configure<IServiceProvider>((options, sp) =>
        {
            try
            {
                options.ShutdownTimeout = sp.GetRequiredService<GatewaySettings>().Shutdown.Timeout;
            }
            catch (GatewayConfigurationException)
            {
                // The host reads its options when it is built; Program reports the configuration error
                // (exit code 2) right after, before anything starts.
            }
        });
        return services;
    }
}
