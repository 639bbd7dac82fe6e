using System.Threading.RateLimiting;
using Gateway.Engine.Configuration;

namespace Gateway.Host.Limits;

/// <summary>
/// The per-partner ingress limit of <c>POST /v1/messages</c> (<c>GATEWAY_INGRESS_RATE</c> requests per
/// second): a token bucket per partner from ASP.NET Core's rate limiting library, holding one second's
/// worth of requests, refilled continuously, never queueing. It is asked by the handler itself, after
/// the owner lookup, because the contract checks the rate limit last (401, 413, 415, 400, 404, then
/// 429). Per node: behind a load balancer over N nodes a partner may reach N times the rate.
/// </summary>
public sealed class PartnerIngressLimiter : IDisposable
{
    // Refilled about this often (at least one token at a time), so that a partner sending at its
    // rate is not refused for a whole second after a burst.
    private static readonly TimeSpan Replenishment = TimeSpan.FromMilliseconds(100);

    private readonly PartitionedRateLimiter<string> _limiter;

    public PartnerIngressLimiter(PartnerApiSettings settings)
    {
        var rate = settings.IngressRate;
        var perPeriod = Math.Max(1, (int)Math.Round(rate * Replenishment.TotalSeconds));
        _limiter = PartitionedRateLimiter.Create<string, string>(partnerId => RateLimitPartition.GetTokenBucketLimiter(partnerId,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = rate,
                TokensPerPeriod = perPeriod,
                ReplenishmentPeriod = TimeSpan.FromSeconds((double)perPeriod / rate),
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one request of <paramref name="partnerId"/>'s allowance; null when allowed, else when to retry (whole seconds, at least 1).</summary>
    public int? TryAcquire(string partnerId)
    {
        using var lease = _limiter.AttemptAcquire(partnerId);
        if (lease.IsAcquired)
            return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
    }

    public void Dispose() => _limiter.Dispose();
}
