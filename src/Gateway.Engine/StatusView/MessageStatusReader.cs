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

        var head = await database.JournalHeadAsync(cancellationToken);
        var deadline = clock.GetUtcNow() + settings.ReadWait;
        var pause = settings.PollInterval / 4;
        while ((await store.ReadProgressAsync(cancellationToken)).JournalWatermark < head && clock.GetUtcNow() < deadline)
            await Task.Delay(pause, clock, cancellationToken);
        return await store.FindAsync(id, cancellationToken);
    }
}
