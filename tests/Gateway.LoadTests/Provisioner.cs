using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Gateway.LoadTests;

/// <summary>
/// The harness's numbering plan and its provisioning through the admin API: one partner whose
/// webhook is the harness's sink, and subscribers <c>l0</c>…<c>l{N-1}</c>.
/// </summary>
public sealed class Provisioner(Uri node, string adminToken)
{
    public const string PartnerId = "load";
    public const string ClientSecret = "load-client-secret-0123456789";
    public const string SecurityToken = "load-security-token";
    private const long DidBase = 46_700_000_000;
    private const long MobileBase = 46_800_000_000;

    public static string SubscriberId(int i) => "l" + i.ToString(CultureInfo.InvariantCulture);
    public static string Did(int i) => "+" + (DidBase + i).ToString(CultureInfo.InvariantCulture);
    public static string Mobile(int i) => "+" + (MobileBase + i).ToString(CultureInfo.InvariantCulture);

    /// <summary>Provisions the partner (webhook <paramref name="partnerUrl"/>) and <paramref name="count"/> subscribers.</summary>
    public async Task<TimeSpan> ProvisionAsync(Uri partnerUrl, int count, int concurrency, Progress progress)
    {
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency })
        {
            BaseAddress = node,
            Timeout = TimeSpan.FromSeconds(60),
        };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        var clock = Stopwatch.StartNew();
        await PutAsync(client, $"/admin/partners/{PartnerId}",
            new { primaryUrl = partnerUrl.ToString(), clientSecret = ClientSecret, securityToken = SecurityToken });
        var done = 0;
        using var reporter = progress.Every(() => $"provisioning: {Volatile.Read(ref done):N0} of {count:N0} subscribers");
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            await PutAsync(client, $"/admin/subscribers/{SubscriberId(i)}",
                new { mobile = Mobile(i), did = Did(i), domain = "load.example", partnerId = PartnerId });
            Interlocked.Increment(ref done);
        });
        return clock.Elapsed;
    }

    private static async Task PutAsync(HttpClient client, string path, object body)
    {
        using var response = await client.PutAsJsonAsync(path, body);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
