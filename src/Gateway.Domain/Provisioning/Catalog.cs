using System.Collections.Immutable;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using static Gateway.Domain.Provisioning.ProvisioningCommands;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Domain.Provisioning;

/// <summary>What <see cref="Catalog.Decide"/> concluded: an event to journal, nothing to do, or a refusal.</summary>
public readonly record struct Decision(IProvisioningEvent? Event, DomainError? Error)
{
    public static Decision Changed(IProvisioningEvent e) => new(e, null);
    public static readonly Decision Unchanged = new(null, null);
    public static Decision Refused(DomainError error) => new(null, error);
}

/// <summary>
/// Partners, recording servers, groups and subscribers, with the indexes the hot path needs:
/// a subscriber by DID (terminations) or by mobile number (originations), a partner by the digest
/// of its client secret (partner API authentication). Immutable: <see cref="Apply"/> returns a new
/// catalog sharing structure with the old one, so readers on other threads see one consistent version.
/// </summary>
/// <remarks>
/// Numbers form one namespace: a number that is one subscriber's DID or mobile cannot be another
/// subscriber's DID or mobile (a subscriber may use the same number for both). This keeps every
/// number on the network and on the PSTN routable to exactly one subscriber.
/// </remarks>
public sealed class Catalog
{
    public static readonly Catalog Empty = new(
        ImmutableDictionary<PartnerId, Partner>.Empty,
        ImmutableDictionary<SecretDigest, PartnerId>.Empty,
        ImmutableDictionary<RecordingServerId, RecordingServer>.Empty,
        ImmutableDictionary<GroupId, Group>.Empty,
        ImmutableDictionary<SubscriberId, Subscriber>.Empty,
        ImmutableDictionary<E164Number, SubscriberId>.Empty,
        ImmutableDictionary<PartnerId, int>.Empty,
        ImmutableDictionary<GroupId, int>.Empty);

    private readonly ImmutableDictionary<PartnerId, Partner> _partners;
    private readonly ImmutableDictionary<SecretDigest, PartnerId> _partnerByClientSecret;
    private readonly ImmutableDictionary<RecordingServerId, RecordingServer> _recordingServers;
    private readonly ImmutableDictionary<GroupId, Group> _groups;
    private readonly ImmutableDictionary<SubscriberId, Subscriber> _subscribers;
    private readonly ImmutableDictionary<E164Number, SubscriberId> _subscriberByNumber;
    private readonly ImmutableDictionary<PartnerId, int> _subscriberCountByPartner;
    private readonly ImmutableDictionary<GroupId, int> _subscriberCountByGroup;

    private Catalog(
        ImmutableDictionary<PartnerId, Partner> partners,
        ImmutableDictionary<SecretDigest, PartnerId> partnerByClientSecret,
        ImmutableDictionary<RecordingServerId, RecordingServer> recordingServers,
        ImmutableDictionary<GroupId, Group> groups,
        ImmutableDictionary<SubscriberId, Subscriber> subscribers,
        ImmutableDictionary<E164Number, SubscriberId> subscriberByNumber,
        ImmutableDictionary<PartnerId, int> subscriberCountByPartner,
        ImmutableDictionary<GroupId, int> subscriberCountByGroup)
    {
        _partners = partners;
        _partnerByClientSecret = partnerByClientSecret;
        _recordingServers = recordingServers;
        _groups = groups;
        _subscribers = subscribers;
        _subscriberByNumber = subscriberByNumber;
        _subscriberCountByPartner = subscriberCountByPartner;
        _subscriberCountByGroup = subscriberCountByGroup;
    }

    public int PartnerCount => _partners.Count;
    public int RecordingServerCount => _recordingServers.Count;
    public int GroupCount => _groups.Count;
    public int SubscriberCount => _subscribers.Count;

    public Partner? FindPartner(PartnerId id) => _partners.GetValueOrDefault(id);
    public RecordingServer? FindRecordingServer(RecordingServerId id) => _recordingServers.GetValueOrDefault(id);
    public Group? FindGroup(GroupId id) => _groups.GetValueOrDefault(id);
    public Subscriber? FindSubscriber(SubscriberId id) => _subscribers.GetValueOrDefault(id);

    /// <summary>The subscriber whose DID is <paramref name="did"/> (the owner of a termination).</summary>
    public Subscriber? FindSubscriberByDid(E164Number did) =>
        _subscriberByNumber.TryGetValue(did, out var id) && _subscribers[id] is { } s && s.Did == did ? s : null;

    /// <summary>The subscriber whose SIM has <paramref name="mobile"/> (the sender of an origination).</summary>
    public Subscriber? FindSubscriberByMobile(E164Number mobile) =>
        _subscriberByNumber.TryGetValue(mobile, out var id) && _subscribers[id] is { } s && s.Mobile == mobile ? s : null;

    /// <summary>The partner whose client secret is <paramref name="presentedSecret"/>, compared by digest in constant time.</summary>
    public Partner? FindPartnerByClientSecret(string presentedSecret)
    {
        var digest = SecretDigest.Of(presentedSecret);
        return _partnerByClientSecret.TryGetValue(digest, out var id) && _partners[id] is { } partner &&
               partner.ClientSecret.FixedTimeEquals(digest)
            ? partner
            : null;
    }

    public IEnumerable<Partner> Partners => _partners.Values;
    public IEnumerable<RecordingServer> RecordingServers => _recordingServers.Values;
    public IEnumerable<Group> Groups => _groups.Values;
    public IEnumerable<Subscriber> Subscribers => _subscribers.Values;

    /// <summary>Checks a command against the catalog's cross-resource rules.</summary>
    public Decision Decide(IProvisioningCommand command) => command switch
    {
        SavePartner c => DecideSavePartner(c.Partner),
        DeletePartner c => DecideDeletePartner(c.Id),
        SaveRecordingServer c => Equals(FindRecordingServer(c.RecordingServer.Id), c.RecordingServer)
            ? Decision.Unchanged
            : Decision.Changed(new RecordingServerSaved(c.RecordingServer)),
        DeleteRecordingServer c => DecideDeleteRecordingServer(c.Id),
        SaveGroup c => DecideSaveGroup(c.Group),
        DeleteGroup c => DecideDeleteGroup(c.Id),
        SaveSubscriber c => DecideSaveSubscriber(c.Subscriber),
        DeleteSubscriber c => _subscribers.ContainsKey(c.Id)
            ? Decision.Changed(new SubscriberDeleted(c.Id))
            : Decision.Refused(DomainError.NotFound(ErrorCodes.NotFound, $"Subscriber '{c.Id}' does not exist.")),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command.GetType().Name, "Unknown provisioning command."),
    };

    private Decision DecideSavePartner(Partner partner)
    {
        if (_partnerByClientSecret.TryGetValue(partner.ClientSecret, out var holder) && holder != partner.Id)
            return Decision.Refused(DomainError.Conflict(ErrorCodes.ClientSecretInUse,
                "Field 'clientSecret' is already used by another partner; each partner needs its own secret."));
        return Equals(FindPartner(partner.Id), partner) ? Decision.Unchanged : Decision.Changed(new PartnerSaved(partner));
    }

    private Decision DecideDeletePartner(PartnerId id)
    {
        if (!_partners.ContainsKey(id))
            return Decision.Refused(DomainError.NotFound(ErrorCodes.NotFound, $"Partner '{id}' does not exist."));
        var users = _subscriberCountByPartner.GetValueOrDefault(id);
        return users > 0
            ? Decision.Refused(DomainError.Conflict(ErrorCodes.PartnerInUse,
                $"Partner '{id}' still has {users} subscriber(s); delete or move them first."))
            : Decision.Changed(new PartnerDeleted(id));
    }

    private Decision DecideDeleteRecordingServer(RecordingServerId id)
    {
        if (!_recordingServers.ContainsKey(id))
            return Decision.Refused(DomainError.NotFound(ErrorCodes.NotFound, $"Recording server '{id}' does not exist."));
        var user = _groups.Values.FirstOrDefault(g => g.MessageCopy.RecordingServerId == id);
        return user is not null
            ? Decision.Refused(DomainError.Conflict(ErrorCodes.RecordingServerInUse,
                $"Recording server '{id}' is used by group '{user.Id}'; change that group first."))
            : Decision.Changed(new RecordingServerDeleted(id));
    }

    private Decision DecideSaveGroup(Group group)
    {
        if (group.MessageCopy.RecordingServerId is { } serverId && !_recordingServers.ContainsKey(serverId))
            return Decision.Refused(DomainError.Invalid(ErrorCodes.RecordingServerNotFound,
                $"Field 'messageCopy.recordingServerId' names recording server '{serverId}', which does not exist."));
        return Equals(FindGroup(group.Id), group) ? Decision.Unchanged : Decision.Changed(new GroupSaved(group));
    }

    private Decision DecideDeleteGroup(GroupId id)
    {
        if (!_groups.ContainsKey(id))
            return Decision.Refused(DomainError.NotFound(ErrorCodes.NotFound, $"Group '{id}' does not exist."));
        var members = _subscriberCountByGroup.GetValueOrDefault(id);
        return members > 0
            ? Decision.Refused(DomainError.Conflict(ErrorCodes.GroupInUse,
                $"Group '{id}' still has {members} subscriber(s); delete or move them first."))
            : Decision.Changed(new GroupDeleted(id));
    }

    private Decision DecideSaveSubscriber(Subscriber subscriber)
    {
        if (!_partners.ContainsKey(subscriber.PartnerId))
            return Decision.Refused(DomainError.Invalid(ErrorCodes.PartnerNotFound,
                $"Field 'partnerId' names partner '{subscriber.PartnerId}', which does not exist."));
        if (subscriber.GroupId is { } groupId && !_groups.ContainsKey(groupId))
            return Decision.Refused(DomainError.Invalid(ErrorCodes.GroupNotFound,
                $"Field 'groupId' names group '{groupId}', which does not exist."));
        if (_subscriberByNumber.TryGetValue(subscriber.Did, out var didHolder) && didHolder != subscriber.Id)
            return Decision.Refused(DomainError.Conflict(ErrorCodes.DidInUse,
                $"Field 'did' {subscriber.Did} already belongs to subscriber '{didHolder}'."));
        if (_subscriberByNumber.TryGetValue(subscriber.Mobile, out var mobileHolder) && mobileHolder != subscriber.Id)
            return Decision.Refused(DomainError.Conflict(ErrorCodes.MobileInUse,
                $"Field 'mobile' {subscriber.Mobile} already belongs to subscriber '{mobileHolder}'."));
        return Equals(FindSubscriber(subscriber.Id), subscriber)
            ? Decision.Unchanged
            : Decision.Changed(new SubscriberSaved(subscriber));
    }

    /// <summary>The catalog after <paramref name="e"/>. Events are facts: applying never fails.</summary>
    public Catalog Apply(IProvisioningEvent e) => e switch
    {
        PartnerSaved x => WithPartner(x.Partner),
        PartnerDeleted x => WithoutPartner(x.Id),
        RecordingServerSaved x => With(recordingServers: _recordingServers.SetItem(x.RecordingServer.Id, x.RecordingServer)),
        RecordingServerDeleted x => With(recordingServers: _recordingServers.Remove(x.Id)),
        GroupSaved x => With(groups: _groups.SetItem(x.Group.Id, x.Group)),
        GroupDeleted x => With(groups: _groups.Remove(x.Id)),
        SubscriberSaved x => WithSubscriber(x.Subscriber),
        SubscriberDeleted x => WithoutSubscriber(x.Id),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.GetType().Name, "Unknown provisioning event."),
    };

    private Catalog WithPartner(Partner partner)
    {
        var bySecret = _partnerByClientSecret;
        if (_partners.TryGetValue(partner.Id, out var previous))
            bySecret = bySecret.Remove(previous.ClientSecret);
        return With(partners: _partners.SetItem(partner.Id, partner),
            partnerByClientSecret: bySecret.SetItem(partner.ClientSecret, partner.Id));
    }

    private Catalog WithoutPartner(PartnerId id) =>
        _partners.TryGetValue(id, out var previous)
            ? With(partners: _partners.Remove(id), partnerByClientSecret: _partnerByClientSecret.Remove(previous.ClientSecret))
            : this;

    private Catalog WithSubscriber(Subscriber subscriber)
    {
        var catalog = WithoutSubscriber(subscriber.Id);
        return catalog.With(
            subscribers: catalog._subscribers.SetItem(subscriber.Id, subscriber),
            subscriberByNumber: catalog._subscriberByNumber
                .SetItem(subscriber.Did, subscriber.Id)
                .SetItem(subscriber.Mobile, subscriber.Id),
            subscriberCountByPartner: Increment(catalog._subscriberCountByPartner, subscriber.PartnerId, +1),
            subscriberCountByGroup: subscriber.GroupId is { } g
                ? Increment(catalog._subscriberCountByGroup, g, +1)
                : catalog._subscriberCountByGroup);
    }

    private Catalog WithoutSubscriber(SubscriberId id)
    {
        if (!_subscribers.TryGetValue(id, out var previous))
            return this;
        return With(
            subscribers: _subscribers.Remove(id),
            subscriberByNumber: _subscriberByNumber.Remove(previous.Did).Remove(previous.Mobile),
            subscriberCountByPartner: Increment(_subscriberCountByPartner, previous.PartnerId, -1),
            subscriberCountByGroup: previous.GroupId is { } g
                ? Increment(_subscriberCountByGroup, g, -1)
                : _subscriberCountByGroup);
    }

    private static ImmutableDictionary<TKey, int> Increment<TKey>(ImmutableDictionary<TKey, int> counts, TKey key, int delta)
        where TKey : notnull
    {
        var next = counts.GetValueOrDefault(key) + delta;
        return next == 0 ? counts.Remove(key) : counts.SetItem(key, next);
    }

    private Catalog With(
        ImmutableDictionary<PartnerId, Partner>? partners = null,
        ImmutableDictionary<SecretDigest, PartnerId>? partnerByClientSecret = null,
        ImmutableDictionary<RecordingServerId, RecordingServer>? recordingServers = null,
        ImmutableDictionary<GroupId, Group>? groups = null,
        ImmutableDictionary<SubscriberId, Subscriber>? subscribers = null,
        ImmutableDictionary<E164Number, SubscriberId>? subscriberByNumber = null,
        ImmutableDictionary<PartnerId, int>? subscriberCountByPartner = null,
        ImmutableDictionary<GroupId, int>? subscriberCountByGroup = null) =>
        new(partners ?? _partners,
            partnerByClientSecret ?? _partnerByClientSecret,
            recordingServers ?? _recordingServers,
            groups ?? _groups,
            subscribers ?? _subscribers,
            subscriberByNumber ?? _subscriberByNumber,
            subscriberCountByPartner ?? _subscriberCountByPartner,
            subscriberCountByGroup ?? _subscriberCountByGroup);

    public CatalogSnapshot ToSnapshot() => new(
        _partners.Values.OrderBy(p => p.Id.Value, StringComparer.Ordinal).ToList(),
        _recordingServers.Values.OrderBy(r => r.Id.Value, StringComparer.Ordinal).ToList(),
        _groups.Values.OrderBy(g => g.Id.Value, StringComparer.Ordinal).ToList(),
        _subscribers.Values.OrderBy(s => s.Id.Value, StringComparer.Ordinal).ToList());

    /// <summary>Rebuilds a catalog, indexes included, from a snapshot.</summary>
    public static Catalog FromSnapshot(CatalogSnapshot snapshot)
    {
        var catalog = Empty;
        foreach (var p in snapshot.Partners) catalog = catalog.WithPartner(p);
        catalog = catalog.With(recordingServers: snapshot.RecordingServers.ToImmutableDictionary(r => r.Id));
        catalog = catalog.With(groups: snapshot.Groups.ToImmutableDictionary(g => g.Id));
        var subscribers = ImmutableDictionary.CreateBuilder<SubscriberId, Subscriber>();
        var byNumber = ImmutableDictionary.CreateBuilder<E164Number, SubscriberId>();
        var byPartner = new Dictionary<PartnerId, int>();
        var byGroup = new Dictionary<GroupId, int>();
        foreach (var s in snapshot.Subscribers)
        {
            subscribers[s.Id] = s;
            byNumber[s.Did] = s.Id;
            byNumber[s.Mobile] = s.Id;
            byPartner[s.PartnerId] = byPartner.GetValueOrDefault(s.PartnerId) + 1;
            if (s.GroupId is { } g) byGroup[g] = byGroup.GetValueOrDefault(g) + 1;
        }
        return catalog.With(
            subscribers: subscribers.ToImmutable(),
            subscriberByNumber: byNumber.ToImmutable(),
            subscriberCountByPartner: byPartner.ToImmutableDictionary(),
            subscriberCountByGroup: byGroup.ToImmutableDictionary());
    }
}
