using System.Threading.RateLimiting;
using Gateway.Engine.Configuration;

namespace Gateway.Host.Limits;

/// <summary>
/// How many <c>POST /v1/messages</c> this node handles at once (<c>gateway.partner-api.max-in-flight</c>):
/// a concurrency limiter from ASP.NET Core's rate limiting library that never queues, so a node whose
/// journal or shard region falls behind answers the excess <c>503</c> at once instead of holding
/// bodies and asks in memory.
/// </summary>
public sealed class InFlightLimiter(PartnerApiSettings settings) : IDisposable
{
    private readonly ConcurrencyLimiter _limiter = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = settings.MaxInFlight,
        QueueLimit = 0,
    });

    /// <summary>A permit to hold until the answer is written; null when the node is full.</summary>
    public RateLimitLease? TryEnter()
    {
        var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
            return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _limiter.Dispose();
}
