using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Delivery;
using Gateway.Northbound.Configuration;

namespace Gateway.Northbound.Webhooks;

/// <summary>
/// Posts originations to partners (CONTRACT §4): one POST to the primary URL and, after a temporary
/// failure, at once one POST to the secondary URL if set; the two together are one attempt, and the
/// outcome is the last URL's.
/// </summary>
/// <remarks>
/// <para><b>Connection pools.</b> Each partner gets its own <see cref="SocketsHttpHandler"/>, kept in a
/// <see cref="ConcurrentDictionary{TKey,TValue}"/> by <see cref="PartnerId"/> for the life of this client,
/// with <see cref="PooledConnectionLifetime"/> (2 minutes) so that a partner moving its DNS record is
/// followed within minutes while requests in between reuse warm (TLS) connections. A partner whose
/// endpoint is slow fills only its own pool. This is chosen over <c>IHttpClientFactory</c>: the factory
/// adds a dependency-injection container and Microsoft.Extensions.Http to the engine's northbound side
/// for what it would do here anyway (a handler per name, recycled on a timer, for names only known at
/// run time), its handler rotation is what <c>PooledConnectionLifetime</c> does inside one handler, and
/// its <c>HttpClient</c> brings the shared <c>Timeout</c> and default-header state this client avoids by
/// sending through an <see cref="HttpMessageInvoker"/> with a per-request token. A handler is created on
/// a partner's first origination and disposed with the client; a deleted partner's idle connections close
/// after <see cref="PooledConnectionIdleTimeout"/>, leaving only an empty handler until the node restarts.
/// Updated URLs or tokens apply at once: they come with every call in the <see cref="WebhookTarget"/>.</para>
/// <para><b>Concurrency.</b> At most <see cref="WebhookSettings.MaxRequestsPerPartner"/>
/// (<c>gateway.webhooks.max-requests-per-partner</c>) attempts run at once per partner; the others wait
/// for a slot (a <see cref="SemaphoreSlim"/> per partner, as long as the caller's token allows) before
/// their request timeout starts, and the partner's handler opens no more connections per URL than that.
/// Without it, a partner back from an outage would get a connection per subscriber with a message due,
/// and requests queued on this side would time out after the partner had received them, to be posted
/// again.</para>
/// <para><b>Timeout.</b> Each of the two requests gets <see cref="WebhookSettings.RequestTimeout"/>
/// (<c>gateway.webhooks.request-timeout</c>, <c>GATEWAY_REQUEST_TIMEOUT</c>) on its own, through a
/// <see cref="CancellationTokenSource"/> linked to the caller's token; it covers connecting, sending
/// the body and receiving the response headers.</para>
/// <para><b>Classification.</b> <c>2xx</c>: delivered. <c>408</c>, <c>429</c>, <c>5xx</c>, a timeout or a
/// network failure (refused, reset, closed before a response, name resolution, TLS, an invalid HTTP
/// response): temporary, so the secondary URL is tried. Any other <c>4xx</c>: permanent, and the
/// secondary URL is not tried. A <c>3xx</c> is permanent as well: redirects are not followed (a
/// partner's webhook URL is provisioned, and following a redirect would send the bearer token and the
/// message to a URL nobody provisioned), and retrying the same URL later would get the same redirect; the
/// operator fixes the partner's URL instead. A final <c>1xx</c> or a status of 600 or more is not valid
/// HTTP and counts as a temporary failure, like any other broken response.</para>
/// <para><b>Errors.</b> <see cref="DeliveryOutcome.Error"/> (the message's <c>lastError</c>) names each URL
/// tried by its origin and what happened, e.g.
/// <c>primary https://p1.example: 503 Service Unavailable; secondary https://p1-backup.example: timeout after 10s</c>.
/// It never holds the bearer token (nor the URL's path and query, nor text from the partner).</para>
/// <para><b>Cancellation.</b> When the caller's token is cancelled (the caller is stopping: an entity
/// passivating, the node shutting down), <see cref="PostAsync"/> throws
/// <see cref="OperationCanceledException"/> instead of returning an outcome, and the secondary URL is not
/// tried: the attempt did not end, so it must not be recorded as a failure. The message was possibly
/// received; delivery is at least once, and the next attempt posts it again with the same id. (For the
/// same reason a POST may reach a partner twice within one attempt: <see cref="SocketsHttpHandler"/>
/// resends a request on a fresh connection when a pooled one turns out to have been closed by the
/// partner before any answer, and a partner dedupes by <c>id</c>.)</para>
/// <para><b>Response body.</b> Only the status counts. The body is read and discarded, at most
/// <see cref="MaxDrainedResponseBytes"/> of it through a small pooled buffer, so that the connection can
/// serve the next request; a longer body, or one not finished within the request's timeout, closes the
/// connection instead. Nothing of it is kept.</para>
/// </remarks>
public sealed class PartnerWebhookClient : IPartnerWebhook, IDisposable
{
    /// <summary>How long a pooled connection is used before it is replaced (so DNS changes are followed).</summary>
    public static readonly TimeSpan PooledConnectionLifetime = TimeSpan.FromMinutes(2);

    /// <summary>How long a connection may sit unused in a partner's pool before it is closed.</summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1);

    /// <summary>The most of a response body read (and discarded) to keep its connection for the next request.</summary>
    public const int MaxDrainedResponseBytes = 64 * 1024;

    private const int DrainBufferBytes = 4 * 1024;

    private readonly WebhookSettings _settings;
    private readonly ConcurrentDictionary<PartnerId, Pool> _pools = new();
    private volatile bool _disposed;

    public PartnerWebhookClient(WebhookSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.RequestTimeout, TimeSpan.Zero, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(settings.MaxRequestsPerPartner, 0, nameof(settings));
        _settings = settings;
    }

    /// <inheritdoc />
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (not the request timeout).</exception>
    /// <exception cref="ObjectDisposedException">The client was disposed.</exception>
    public async Task<DeliveryOutcome> PostAsync(WebhookTarget target, OriginationEvent message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(message);
        cancellationToken.ThrowIfCancellationRequested();
        var pool = PoolFor(target.Partner);
        await pool.Slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var primary = await SendAsync(pool.Invoker, target.PrimaryUrl, target.SecurityToken, message, cancellationToken).ConfigureAwait(false);
            var primaryText = $"primary {primary.Description}";
            if (primary.Result != DeliveryResult.TemporaryFailure || target.SecondaryUrl is not { } secondaryUrl)
                return Outcome(primary.Result, primaryText);

            cancellationToken.ThrowIfCancellationRequested();
            var secondary = await SendAsync(pool.Invoker, secondaryUrl, target.SecurityToken, message, cancellationToken).ConfigureAwait(false);
            return Outcome(secondary.Result, $"{primaryText}; secondary {secondary.Description}");
        }
        finally
        {
            pool.Slots.Release();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var pool in _pools.Values)
            pool.Invoker.Dispose();
        _pools.Clear();
    }

    private static DeliveryOutcome Outcome(DeliveryResult result, string error) => result switch
    {
        DeliveryResult.Delivered => DeliveryOutcome.Delivered,
        DeliveryResult.TemporaryFailure => DeliveryOutcome.Temporary(error),
        _ => DeliveryOutcome.Permanent(error),
    };

    private Pool PoolFor(PartnerId partner)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_pools.TryGetValue(partner, out var pool))
            return pool;
        var created = new Pool(
            new HttpMessageInvoker(CreateHandler(_settings.MaxRequestsPerPartner), disposeHandler: true),
            new SemaphoreSlim(_settings.MaxRequestsPerPartner, _settings.MaxRequestsPerPartner));
        pool = _pools.GetOrAdd(partner, created);
        if (!ReferenceEquals(pool, created))
            created.Invoker.Dispose(); // another caller won the race; this one never opened a connection
        if (_disposed)
        {
            Dispose();
            ObjectDisposedException.ThrowIf(true, this);
        }
        return pool;
    }

    private static SocketsHttpHandler CreateHandler(int maxConnections) => new()
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionLifetime = PooledConnectionLifetime,
        PooledConnectionIdleTimeout = PooledConnectionIdleTimeout,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxResponseDrainSize = MaxDrainedResponseBytes,
        ResponseDrainTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>One POST to one URL, classified; throws only for the caller's cancellation.</summary>
    private async Task<Leg> SendAsync(
        HttpMessageInvoker pool, HttpUrl url, Secret token, OriginationEvent message, CancellationToken cancellationToken)
    {
        var origin = WebhookErrorText.Origin(url.Uri);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, url.Uri)
        {
            Content = new OriginationContent(message),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        try
        {
            using var response = await pool.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            await DrainAsync(response, timeout.Token).ConfigureAwait(false);
            return new Leg(Classify(status), $"{origin}: {WebhookErrorText.Status(status, response.Headers)}");
        }
        catch (Exception exception) when (cancellationToken.IsCancellationRequested)
        {
            if (exception is OperationCanceledException)
                throw;
            throw new OperationCanceledException("The webhook request was cancelled by its caller.", exception, cancellationToken);
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            return new Leg(DeliveryResult.TemporaryFailure, $"{origin}: timeout after {WebhookErrorText.Duration(_settings.RequestTimeout)}");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            return new Leg(DeliveryResult.TemporaryFailure, $"{origin}: {WebhookErrorText.Failure(exception)}");
        }
    }

    internal static DeliveryResult Classify(int status) => status switch
    {
        >= 200 and < 300 => DeliveryResult.Delivered,
        408 or 429 => DeliveryResult.TemporaryFailure,
        >= 500 and < 600 => DeliveryResult.TemporaryFailure,
        >= 300 and < 500 => DeliveryResult.PermanentFailure,
        _ => DeliveryResult.TemporaryFailure,
    };

    /// <summary>
    /// Reads and discards up to <see cref="MaxDrainedResponseBytes"/> of the body so the connection goes
    /// back to the pool; the status is already known, so a failure here changes nothing but the connection.
    /// </summary>
    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength is > MaxDrainedResponseBytes)
            return; // disposing closes the connection rather than reading a body this large
        var buffer = ArrayPool<byte>.Shared.Rent(DrainBufferBytes);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var total = 0;
                int read;
                while (total <= MaxDrainedResponseBytes &&
                       (read = await stream.ReadAsync(buffer.AsMemory(0, DrainBufferBytes), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    total += read;
                }
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            // The answer stands; the connection is closed when the response is disposed.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private readonly record struct Leg(DeliveryResult Result, string Description);

    /// <summary>A partner's connections and its slots for attempts under way.</summary>
    private sealed record Pool(HttpMessageInvoker Invoker, SemaphoreSlim Slots);
}
