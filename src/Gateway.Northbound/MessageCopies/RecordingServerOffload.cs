using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using Akka.Streams.Dsl;
using Gateway.Domain.Provisioning;
using Gateway.Engine.MessageCopies;
using Gateway.Engine.Provisioning;
using Gateway.Engine.Storage;
using Gateway.Northbound.Configuration;

namespace Gateway.Northbound.MessageCopies;

/// <summary>
/// The offload cycles of one recording server (CONTRACT §6). The first cycle starts one
/// <see cref="MessageCopySettings.Interval"/> after this actor does; each next one an interval after
/// the previous one started, or as soon as it ends if it ran longer, so cycles never overlap and never
/// start closer than an interval apart (the seed: "no faster than once every 4 minutes").
/// </summary>
/// <remarks>
/// A cycle is an Akka.Streams graph: the keys of the server's oldest
/// <see cref="MessageCopySettings.BatchSize"/> copies, then one <c>SelectAsync(1)</c> stage that loads,
/// posts and (on a 2xx) deletes one copy at a time, so never two requests are in flight to one server;
/// the first failure ends the cycle (<c>TakeWhile</c>, inclusive), and that copy and everything after it
/// wait for the next cycle. A copy is deleted only after its 2xx, and the next one is posted only after
/// the delete, so a copy answered 2xx is never posted again, unless the delete itself fails (the store
/// is down): then the cycle stops and that copy is posted once more next cycle (at least once).
/// The server's URL and key are read from the provisioning directory at each cycle; while the server is
/// not provisioned (deleted with copies left), cycles post nothing and record why.
/// </remarks>
public sealed class RecordingServerOffload : ReceiveActor, IWithTimers
{
    private const string CycleTimer = "cycle";

    private readonly RecordingServerId _server;
    private readonly MessageCopyStore _store;
    private readonly ProvisioningDirectory _directory;
    private readonly IRecordingServerClient _client;
    private readonly MessageCopySettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private DateTimeOffset _cycleStartedAt;
    private IMaterializer? _materializer;

    public RecordingServerOffload(
        RecordingServerId server, MessageCopyStore store, ProvisioningDirectory directory, IRecordingServerClient client, MessageCopySettings settings)
    {
        _server = server;
        _store = store;
        _directory = directory;
        _client = client;
        _settings = settings;

        Receive<StartCycle>(_ => OnStartCycle());
        Receive<CycleEnded>(OnCycleEnded);
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        RecordingServerId server, MessageCopyStore store, ProvisioningDirectory directory, IRecordingServerClient client, MessageCopySettings settings) =>
        Akka.Actor.Props.Create(() => new RecordingServerOffload(server, store, directory, client, settings));

    private DateTimeOffset Now => Context.System.Scheduler.Now;

    protected override void PreStart()
    {
        // A child of this actor: a running cycle's graph stops with it.
        _materializer = Context.Materializer();
        Timers.StartSingleTimer(CycleTimer, StartCycle.Instance, _settings.Interval);
    }

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private void OnStartCycle()
    {
        _cycleStartedAt = Now;
        var startedAt = _cycleStartedAt;
        RunCycleAsync(startedAt, _materializer!, _stopping.Token).PipeTo(Self,
            success: result => new CycleEnded(result),
            failure: ex => new CycleEnded(new OffloadCycleResult(startedAt, 0, $"the copy backlog could not be read: {ex.GetBaseException().Message}")));
    }

    private void OnCycleEnded(CycleEnded ended)
    {
        var result = ended.Result;
        if (result.Failure is not null)
        {
            MessageCopyMetrics.RecordFailedCycle(_server.Value);
            _log.Warning("Message Copy to recording server {0}: cycle stopped after {1} copies: {2}", _server, result.Offloaded, result.Failure);
        }
        else if (result.Offloaded > 0)
        {
            _log.Info("Message Copy to recording server {0}: {1} copies offloaded", _server, result.Offloaded);
        }
        _store.RecordCycleAsync(_server, result, Now, _stopping.Token).ContinueWith(
            task => _log.Warning(task.Exception?.GetBaseException(), "Message Copy to recording server {0}: the cycle's outcome was not recorded", _server),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        var wait = _cycleStartedAt + _settings.Interval - Now;
        if (wait > TimeSpan.Zero)
            Timers.StartSingleTimer(CycleTimer, StartCycle.Instance, wait);
        else
            Self.Tell(StartCycle.Instance);
    }

    private async Task<OffloadCycleResult> RunCycleAsync(DateTimeOffset startedAt, IMaterializer materializer, CancellationToken cancellationToken)
    {
        if (_directory.Catalog.FindRecordingServer(_server) is not { } server)
            return new OffloadCycleResult(startedAt, 0, "the recording server is not provisioned; its copies wait until it is again");

        var (offloaded, failure) = await Source.FromTask(_store.OldestKeysAsync(_server, _settings.BatchSize, cancellationToken))
            .SelectMany(keys => keys)
            .SelectAsync(1, key => OffloadAsync(server, key, cancellationToken))
            .TakeWhile(outcome => outcome.Failure is null, inclusive: true)
            .RunAggregate((Offloaded: 0, Failure: (string?)null),
                (total, outcome) => outcome.Failure is { } reason ? (total.Offloaded, reason) : (total.Offloaded + outcome.Posted, null),
                materializer);
        return new OffloadCycleResult(startedAt, offloaded, failure);
    }

    /// <summary>Loads, posts and, on a 2xx, deletes one copy.</summary>
    private async Task<CopyOutcome> OffloadAsync(RecordingServer server, string key, CancellationToken cancellationToken)
    {
        if (await _store.FindAsync(key, cancellationToken) is not { } stored)
            return new CopyOutcome(0, null); // deleted since the keys were read
        var result = await _client.PostAsync(server, stored.Copy, cancellationToken);
        if (!result.IsAccepted)
            return new CopyOutcome(0, result.Failure);
        try
        {
            await _store.DeleteAsync(key, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new CopyOutcome(0, $"copy {key} was accepted but could not be deleted (it will be posted again): {ex.GetBaseException().Message}");
        }
        MessageCopyMetrics.RecordOffloaded(_server.Value);
        return new CopyOutcome(1, null);
    }

    private readonly record struct CopyOutcome(int Posted, string? Failure);

    private sealed class StartCycle
    {
        public static readonly StartCycle Instance = new();
    }

    private sealed record CycleEnded(OffloadCycleResult Result);
}
