using System.Text.Json;

namespace Gateway.DemoPartner;

/// <summary>One webhook call answered <c>200</c>: when, on which path, and the body as the gateway sent it.</summary>
public sealed record ReceivedMessage(DateTimeOffset ReceivedAt, string Path, JsonElement Body);

/// <summary>The last <c>capacity</c> messages received, oldest first.</summary>
public sealed class ReceivedMessages(int capacity)
{
    private readonly Queue<ReceivedMessage> _messages = new();
    private readonly Lock _lock = new();

    public void Add(ReceivedMessage message)
    {
        lock (_lock)
        {
            _messages.Enqueue(message);
            while (_messages.Count > capacity)
                _messages.Dequeue();
        }
    }

    public IReadOnlyList<ReceivedMessage> Snapshot()
    {
        lock (_lock)
            return [.. _messages];
    }
}
