using Akka.Actor;
using Akka.Event;
using Gateway.Domain.Provisioning;
using Gateway.Engine.MessageCopies;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;
using Gateway.Northbound.Configuration;

namespace Gateway.Northbound.MessageCopies;

/// <summary>
/// The Message Copy offload of the whole cluster (run as a cluster singleton, so one recording server
/// is never offloaded by two nodes at once): one <see cref="RecordingServerOffload"/> child per
/// recording server that is provisioned or still has copies waiting, each on its own schedule, so a
/// slow or failing server delays no other. Every <see cref="MessageCopySettings.RefreshInterval"/> it
/// reads the backlog, publishes it to the metrics (<see cref="MessageCopyMetrics"/>) and starts or stops
/// children to match the provisioned servers; a deleted server's child stays until its copies are gone.
/// </summary>
public sealed class MessageCopyOffload : ReceiveActor, IWithTimers
{
    private const string RefreshTimer = "refresh";

    private readonly MessageCopyStore _store;
    private readonly ProvisioningDirectory _directory;
    private readonly IRecordingServerClient _client;
    private readonly MessageCopySettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<RecordingServerId, IActorRef> _servers = [];
    private bool _refreshing;
    private int _childrenStarted;

    public MessageCopyOffload(MessageCopyStore store, ProvisioningDirectory directory, IRecordingServerClient client, MessageCopySettings settings)
    {
        _store = store;
        _directory = directory;
        _client = client;
        _settings = settings;

        Receive<Refresh>(_ => OnRefresh());
        Receive<BacklogRead>(OnBacklogRead);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(MessageCopyStore store, ProvisioningDirectory directory, IRecordingServerClient client, MessageCopySettings settings) =>
        Akka.Actor.Props.Create(() => new MessageCopyOffload(store, directory, client, settings));

    protected override void PreStart()
    {
        Self.Tell(Refresh.Instance);
        Timers.StartPeriodicTimer(RefreshTimer, Refresh.Instance, _settings.RefreshInterval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        MessageCopyMetrics.PublishBacklog([]);
    }

    private void OnRefresh()
    {
        // The first refresh waits for the catalog: before it is loaded every server would look deleted.
        if (_refreshing || !_directory.IsLoaded)
            return;
        _refreshing = true;
        _store.BacklogAsync(Context.System.Scheduler.Now, _stopping.Token).PipeTo(Self,
            success: backlog => new BacklogRead(backlog, null),
            failure: ex => new BacklogRead([], ex));
    }

    private void OnBacklogRead(BacklogRead read)
    {
        _refreshing = false;
        if (read.Failure is not null)
        {
            _log.Warning(read.Failure, "Message Copy: the backlog could not be read; trying again in {0}", _settings.RefreshInterval);
            return;
        }
        var catalog = _directory.Catalog;
        var waiting = read.Backlog.Where(b => b.Count > 0).Select(b => new RecordingServerId(b.RecordingServerId));
        var wanted = catalog.RecordingServers.Select(s => s.Id).Concat(waiting).ToHashSet();

        foreach (var server in wanted.Where(s => !_servers.ContainsKey(s)))
        {
            _servers[server] = Context.ActorOf(RecordingServerOffload.Props(server, _store, _directory, _client, _settings), ChildName(server));
        }
        foreach (var (server, child) in _servers.Where(entry => !wanted.Contains(entry.Key)).ToList())
        {
            Context.Stop(child);
            _servers.Remove(server);
            _store.ForgetAsync(server, _stopping.Token).ContinueWith(
                task => _log.Warning(task.Exception?.GetBaseException(), "Message Copy: deleted recording server {0} not forgotten", server),
                CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }

        // Every provisioned server is reported, an idle one with an empty backlog.
        var byId = read.Backlog.ToDictionary(b => b.RecordingServerId);
        var now = Context.System.Scheduler.Now;
        MessageCopyMetrics.PublishBacklog([.. wanted
            .Select(server => byId.GetValueOrDefault(server.Value) ?? new RecordingServerBacklog(server.Value, 0, null, now, null, null, null, null))
            .OrderBy(b => b.RecordingServerId, StringComparer.Ordinal)]);
    }

    /// <summary>A unique child name: a server deleted and provisioned again may get a child before the old one has stopped.</summary>
    private string ChildName(RecordingServerId server) => $"server-{Uri.EscapeDataString(server.Value)}-{++_childrenStarted}";

    private sealed class Refresh
    {
        public static readonly Refresh Instance = new();
    }

    private sealed record BacklogRead(IReadOnlyList<RecordingServerBacklog> Backlog, Exception? Failure);
}

/// <summary>The registry key of the Message Copy offload's singleton proxy.</summary>
public sealed class MessageCopyOffloadSingleton;
