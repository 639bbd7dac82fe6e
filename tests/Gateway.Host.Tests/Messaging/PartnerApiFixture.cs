namespace Gateway.Host.Tests.Messaging;

/// <summary>
/// One host (its own data folder, a one-node cluster) for the partner API's request checks, which only
/// read: partner p1 with a subscriber whose handset is unreachable (so anything wrongly accepted for it
/// stays visible in its queue) and a subscriber that accepts, and partner p2 with a subscriber of its own.
/// </summary>
public sealed class PartnerApiFixture : IAsyncLifetime
{
    public const string Secret = "p1-client-secret";
    public const string OtherSecret = "p2-client-secret";

    /// <summary>p1's subscriber the refusals are aimed at; its mobile is not its DID.</summary>
    public const string RefusedId = "s-refused";
    public const string RefusedMobile = "+19465550100";
    public const string RefusedDid = "+19465550101";

    /// <summary>p1's subscriber the accepted requests are for.</summary>
    public const string AcceptingId = "s-accepting";
    public const string AcceptingDid = "+19465550200";

    /// <summary>p2's subscriber.</summary>
    public const string OtherId = "s-other";
    public const string OtherMobile = "+19465550300";
    public const string OtherDid = "+19465550301";

    /// <summary>A number no subscriber has.</summary>
    public const string UnknownDid = "+19465550999";

    /// <summary>The PSTN party of every message.</summary>
    public const string Peer = "+12145555273";

    public MessagingGateway Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Gateway = await MessagingGateway.StartAsync();
        await Gateway.ProvisionPartnerAsync("p1", Secret);
        await Gateway.ProvisionPartnerAsync("p2", OtherSecret);
        await Gateway.ProvisionSubscriberAsync(RefusedId, RefusedMobile, RefusedDid, "p1");
        await Gateway.ProvisionSubscriberAsync(AcceptingId, AcceptingDid, AcceptingDid, "p1");
        await Gateway.ProvisionSubscriberAsync(OtherId, OtherMobile, OtherDid, "p2");
        await Gateway.SetReachableAsync(RefusedMobile, false);
        await Gateway.SetReachableAsync(OtherMobile, false);
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}
