using BenchmarkDotNet.Attributes;
using Gateway.Domain.Addressing;
using Gateway.Domain.Provisioning;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Benchmarks;

/// <summary>
/// The provisioning catalog's hot-path lookups (every partner request and every origination does
/// one or two) and the cost of applying an event to a large catalog (every directory on every node
/// applies every admin write).
/// </summary>
[MemoryDiagnoser]
public class CatalogBenchmarks
{
    private Catalog _catalog = Catalog.Empty;
    private CatalogSnapshot _snapshot = null!;
    private E164Number _did;
    private E164Number _mobile;
    private E164Number _unknown;
    private SubscriberSaved _change = null!;

    [Params(100_000)]
    public int Subscribers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var partners = Enumerable.Range(0, 100)
            .Select(p => new Partner(new PartnerId($"p{p}"), HttpUrl.Parse($"https://p{p}.example/hook"), null,
                SecretDigest.Of($"client-secret-{p}"), new Secret($"token-{p}")))
            .ToList();
        var subscribers = Enumerable.Range(0, Subscribers)
            .Select(i => new Subscriber(new SubscriberId($"s{i}"), E164Number.Parse($"+1555{i:D7}"), E164Number.Parse($"+1666{i:D7}"),
                "acme.example", partners[i % partners.Count].Id, null))
            .ToList();
        _snapshot = new CatalogSnapshot(partners, [], [], subscribers);
        _catalog = Catalog.FromSnapshot(_snapshot);
        _did = E164Number.Parse($"+1666{Subscribers / 2:D7}");
        _mobile = E164Number.Parse($"+1555{Subscribers / 3:D7}");
        _unknown = E164Number.Parse("+19999999999");
        _change = new SubscriberSaved(subscribers[Subscribers / 4] with { Did = E164Number.Parse("+17770000000") });
    }

    [Benchmark]
    public Subscriber? FindSubscriberByDid() => _catalog.FindSubscriberByDid(_did);

    [Benchmark]
    public Subscriber? FindSubscriberByMobile() => _catalog.FindSubscriberByMobile(_mobile);

    [Benchmark]
    public Subscriber? FindUnknownNumber() => _catalog.FindSubscriberByDid(_unknown);

    [Benchmark]
    public Partner? FindPartnerByClientSecret() => _catalog.FindPartnerByClientSecret("client-secret-42");

    [Benchmark]
    public Catalog ApplySubscriberChange() => _catalog.Apply(_change);

    [Benchmark]
    public Catalog LoadFromSnapshot() => Catalog.FromSnapshot(_snapshot);
}
