using System.Net;
using System.Net.Http.Headers;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;
using Gateway.Northbound.Configuration;
using Gateway.Northbound.Webhooks;

namespace Gateway.Northbound.MessageCopies;

/// <summary>How one POST of a copy to a recording server ended.</summary>
/// <param name="Failure">Why it was not a 2xx (status, timeout, connection error); null on a 2xx.</param>
public sealed record CopyPostResult(string? Failure)
{
    public static readonly CopyPostResult Accepted = new((string?)null);

    public bool IsAccepted => Failure is null;
}

/// <summary>Posts Message Copies to recording servers (the offload's port, faked in specs).</summary>
public interface IRecordingServerClient
{
    /// <summary>Posts one copy; throws <see cref="OperationCanceledException"/> only for <paramref name="cancellationToken"/>.</summary>
    Task<CopyPostResult> PostAsync(RecordingServer server, MessageCopy copy, CancellationToken cancellationToken);
}

/// <summary>
/// One HTTP POST per copy (CONTRACT §6): the seed's JSON (<see cref="SmsEventJson"/>) as
/// <c>application/json; charset=utf-8</c>, <c>Authorization: Bearer</c> with the server's
/// authentication key when it has one. Only a <c>2xx</c> counts as offloaded; any other status
/// (redirects are not followed: the copy would go to a URL nobody provisioned), a timeout after
/// <see cref="MessageCopySettings.RequestTimeout"/> or a connection error is a failure, described by the
/// server's origin and what happened, never with the key. One connection pool for every server: the
/// offload sends one copy at a time per server.
/// </summary>
public sealed class RecordingServerClient : IRecordingServerClient, IDisposable
{
    private readonly MessageCopySettings _settings;
    private readonly HttpMessageInvoker _http = new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = PartnerWebhookClient.PooledConnectionLifetime,
        PooledConnectionIdleTimeout = PartnerWebhookClient.PooledConnectionIdleTimeout,
        AllowAutoRedirect = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        MaxResponseDrainSize = PartnerWebhookClient.MaxDrainedResponseBytes,
        ResponseDrainTimeout = TimeSpan.FromSeconds(2),
    }, disposeHandler: true);

    public RecordingServerClient(MessageCopySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _settings = settings;
    }

    public async Task<CopyPostResult> PostAsync(RecordingServer server, MessageCopy copy, CancellationToken cancellationToken)
    {
        var origin = WebhookErrorText.Origin(server.Url.Uri);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_settings.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url.Uri)
        {
            Content = new ByteArrayContent(SmsEventJson.Render(copy))
            {
                Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } },
            },
        };
        if (server.AuthenticationKey is { } key)
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key.Value);
        try
        {
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 300
                ? CopyPostResult.Accepted
                : new CopyPostResult($"{origin}: {WebhookErrorText.Status(status, response.Headers)}");
        }
        catch (Exception exception) when (cancellationToken.IsCancellationRequested)
        {
            if (exception is OperationCanceledException)
                throw;
            throw new OperationCanceledException("The copy's POST was cancelled by its caller.", exception, cancellationToken);
        }
        catch (Exception) when (timeout.IsCancellationRequested)
        {
            return new CopyPostResult($"{origin}: timeout after {WebhookErrorText.Duration(_settings.RequestTimeout)}");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or System.Net.Sockets.SocketException)
        {
            return new CopyPostResult($"{origin}: {WebhookErrorText.Failure(exception)}");
        }
    }

    public void Dispose() => _http.Dispose();
}
