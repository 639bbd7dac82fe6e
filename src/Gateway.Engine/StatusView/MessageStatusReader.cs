using Gateway.Domain.Messaging;
using Gateway.Engine.Configuration;
using Gateway.Engine.Storage;

namespace Gateway.Engine.StatusView;

/// <summary>
/// Reads the message status view with read-your-writes: an id the view does not have is looked up
/// again once the view has read the journal up to the head it has now (at most
/// <see cref="MessageStatusSettings.ReadWait"/>), so a message answered <c>202</c> (journaled before
/// the answer) is found even while the view is a poll behind. Thread-safe; one per node.
/// </summary>
public sealed class MessageStatusReader(GatewayDatabase database, MessageStatusStore store, MessageStatusSettings settings, TimeProvider clock)
{
    public async Task<MessageStatusRecord?> FindAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (await store.FindAsync(id, cancellationToken) is { } record)
            return record;
        await CatchUpAsync(cancellationToken);
        return await store.FindAsync(id, cancellationToken);
    }

    /// <summary>
    /// The row as of every event journaled before this call (a withdrawal included, which an early
    /// read could miss); throws <see cref="TimeoutException"/> when the view does not get there
    /// within <see cref="MessageStatusSettings.ReadWait"/>.
    /// </summary>
    public async Task<MessageStatusRecord?> FindCurrentAsync(MessageId id, CancellationToken cancellationToken)
    {
        if (!await CatchUpAsync(cancellationToken))
            throw new TimeoutException($"The message status view did not reach the journal's head within {settings.ReadWait}.");
        return await store.FindAsync(id, cancellationToken);
    }

    /// <summary>Waits until the view has read the journal up to its head as of now; false when it is still behind after the read-wait.</summary>
    private async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        var head = await database.JournalHeadAsync(cancellationToken);
        var deadline = clock.GetUtcNow() + settings.ReadWait;
        var pause = settings.PollInterval / 4;
        while (true)
        {
            if ((await store.ReadProgressAsync(cancellationToken)).JournalWatermark >= head)
                return true;
            if (clock.GetUtcNow() >= deadline)
                return false;
            await Task.Delay(pause, clock, cancellationToken);
        }
    }
}
