using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Gateway.Domain.Addressing;
using Gateway.Domain.Errors;
using Gateway.Domain.Provisioning;
using static Gateway.Domain.Provisioning.ProvisioningCommands;
using static Gateway.Domain.Provisioning.ProvisioningEvents;

namespace Gateway.Domain.Tests.Provisioning;

public class CatalogSpecs
{
    private const string A = "+19465550001";
    private const string B = "+19465550002";
    private const string C = "+19465550003";
    private const string D = "+19465550004";

    // ---------------------------------------------------------------- lookups

    [Fact]
    public void Catalog_should_find_a_saved_subscriber_by_id_did_and_mobile()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        var expected = Subscriber("s1", mobile: A, did: B);
        Assert.Equal(expected, catalog.FindSubscriber(new SubscriberId("s1")));
        Assert.Equal(expected, catalog.FindSubscriberByDid(N(B)));
        Assert.Equal(expected, catalog.FindSubscriberByMobile(N(A)));
        Assert.Equal(1, catalog.SubscriberCount);
        Assert.Equal(1, catalog.PartnerCount);
    }

    [Fact]
    public void Catalog_should_find_a_partner_by_its_client_secret()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SavePartner("p2", "secret-2"));

        Assert.Equal(new PartnerId("p1"), catalog.FindPartnerByClientSecret("secret-1")?.Id);
        Assert.Equal(new PartnerId("p2"), catalog.FindPartnerByClientSecret("secret-2")?.Id);
        Assert.Null(catalog.FindPartnerByClientSecret("secret-3"));
        Assert.Null(catalog.FindPartnerByClientSecret(""));
    }

    [Fact]
    public void Catalog_should_not_find_a_subscriber_by_did_using_its_mobile_number()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        Assert.Null(catalog.FindSubscriberByDid(N(A)));    // a mobile is not a DID
        Assert.Null(catalog.FindSubscriberByMobile(N(B))); // and a DID is not a mobile
    }

    [Fact]
    public void Catalog_should_find_a_subscriber_by_both_lookups_when_mobile_and_did_are_the_same_number()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: A));

        Assert.Equal(new SubscriberId("s1"), catalog.FindSubscriberByDid(N(A))?.Id);
        Assert.Equal(new SubscriberId("s1"), catalog.FindSubscriberByMobile(N(A))?.Id);
    }

    [Fact]
    public void Catalog_should_find_nothing_in_the_empty_catalog()
    {
        var catalog = Catalog.Empty;

        Assert.Null(catalog.FindPartner(new PartnerId("p1")));
        Assert.Null(catalog.FindGroup(new GroupId("g1")));
        Assert.Null(catalog.FindRecordingServer(new RecordingServerId("rs1")));
        Assert.Null(catalog.FindSubscriber(new SubscriberId("s1")));
        Assert.Null(catalog.FindSubscriberByDid(N(A)));
        Assert.Null(catalog.FindSubscriberByMobile(N(A)));
        Assert.Null(catalog.FindPartnerByClientSecret("secret-1"));
        Assert.Equal(0, catalog.PartnerCount + catalog.GroupCount + catalog.RecordingServerCount + catalog.SubscriberCount);
    }

    [Fact]
    public void Catalog_should_be_immutable_so_applying_an_event_leaves_the_old_version_unchanged()
    {
        var before = Given(SavePartner("p1", "secret-1"));

        var after = before.Apply(new SubscriberSaved(Subscriber("s1", mobile: A, did: B)));

        Assert.Null(before.FindSubscriber(new SubscriberId("s1")));
        Assert.Equal(0, before.SubscriberCount);
        Assert.NotNull(after.FindSubscriber(new SubscriberId("s1")));
    }

    [Fact]
    public void Catalog_should_decide_a_new_subscriber_into_a_SubscriberSaved_event()
    {
        var catalog = Given(SavePartner("p1", "secret-1"));
        var subscriber = Subscriber("s1", mobile: A, did: B);

        var decision = catalog.Decide(new SaveSubscriber(subscriber));

        Assert.Null(decision.Error);
        Assert.Equal(new SubscriberSaved(subscriber), decision.Event);
    }

    // ---------------------------------------------------------------- references

    [Fact]
    public void Catalog_should_refuse_a_subscriber_of_an_unknown_partner()
    {
        var catalog = Given(SavePartner("p1", "secret-1"));

        var decision = catalog.Decide(SaveSubscriber("s1", mobile: A, did: B, partner: "p2"));

        AssertRefused(decision, ErrorKind.Invalid, ErrorCodes.PartnerNotFound);
        Assert.Contains("'partnerId'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_refuse_a_subscriber_of_an_unknown_group()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveGroup("g1"));

        var decision = catalog.Decide(SaveSubscriber("s1", mobile: A, did: B, group: "g2"));

        AssertRefused(decision, ErrorKind.Invalid, ErrorCodes.GroupNotFound);
        Assert.Contains("'groupId'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_accept_a_subscriber_of_a_known_group()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveGroup("g1"), SaveSubscriber("s1", mobile: A, did: B, group: "g1"));

        Assert.Equal(new GroupId("g1"), catalog.FindSubscriber(new SubscriberId("s1"))?.GroupId);
    }

    [Fact]
    public void Catalog_should_refuse_a_group_whose_recording_server_does_not_exist()
    {
        var catalog = Given(SaveRecordingServer("rs1"));

        var decision = catalog.Decide(SaveGroup("g1", recordingServer: "rs2"));

        AssertRefused(decision, ErrorKind.Invalid, ErrorCodes.RecordingServerNotFound);
        Assert.Contains("'messageCopy.recordingServerId'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_accept_a_group_whose_recording_server_exists()
    {
        var catalog = Given(SaveRecordingServer("rs1"), SaveGroup("g1", recordingServer: "rs1"));

        Assert.Equal(new RecordingServerId("rs1"), catalog.FindGroup(new GroupId("g1"))?.MessageCopy.RecordingServerId);
    }

    // ---------------------------------------------------------------- number uniqueness

    // Numbers form one namespace: a subscriber's DID or mobile cannot be another subscriber's DID or mobile.
    [Theory]
    [InlineData(A, B, C, A, ErrorCodes.DidInUse)]    // new did = other's mobile
    [InlineData(A, B, C, B, ErrorCodes.DidInUse)]    // new did = other's did
    [InlineData(A, B, A, C, ErrorCodes.MobileInUse)] // new mobile = other's mobile
    [InlineData(A, B, B, C, ErrorCodes.MobileInUse)] // new mobile = other's did
    [InlineData(A, A, A, C, ErrorCodes.MobileInUse)] // the other uses one number for both
    [InlineData(A, A, C, A, ErrorCodes.DidInUse)]
    [InlineData(A, B, B, A, ErrorCodes.DidInUse)]    // both taken: the did is reported first
    public void Catalog_should_refuse_a_number_already_used_by_another_subscriber(
        string takenMobile, string takenDid, string mobile, string did, string code)
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: takenMobile, did: takenDid));

        var decision = catalog.Decide(SaveSubscriber("s2", mobile: mobile, did: did));

        AssertRefused(decision, ErrorKind.Conflict, code);
        Assert.Contains("'s1'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_refuse_a_did_already_used_by_another_subscriber()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        var decision = catalog.Decide(SaveSubscriber("s2", mobile: C, did: B));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.DidInUse);
        Assert.Contains("'did'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_refuse_a_mobile_already_used_by_another_subscriber()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        var decision = catalog.Decide(SaveSubscriber("s2", mobile: A, did: C));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.MobileInUse);
        Assert.Contains("'mobile'", decision.Error!.Message);
    }

    [Theory]
    [InlineData(A, B)] // unchanged numbers, other field changed
    [InlineData(B, A)] // swapped
    [InlineData(A, A)] // mobile reused as did
    [InlineData(B, B)] // did reused as mobile
    [InlineData(A, C)] // keeps one, takes a free one
    public void Catalog_should_let_a_subscriber_reuse_its_own_numbers(string mobile, string did)
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        var decision = catalog.Decide(SaveSubscriber("s1", mobile: mobile, did: did, domain: "other.example"));

        Assert.Null(decision.Error);
        var after = catalog.Apply(Assert.IsType<SubscriberSaved>(decision.Event));
        Assert.Equal(new SubscriberId("s1"), after.FindSubscriberByMobile(N(mobile))?.Id);
        Assert.Equal(new SubscriberId("s1"), after.FindSubscriberByDid(N(did))?.Id);
        Assert.Equal(1, after.SubscriberCount);
    }

    [Fact]
    public void Catalog_should_free_the_old_numbers_of_a_replaced_subscriber()
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SaveSubscriber("s1", mobile: A, did: B),
            SaveSubscriber("s1", mobile: C, did: D));

        Assert.Null(catalog.FindSubscriberByMobile(N(A)));
        Assert.Null(catalog.FindSubscriberByDid(N(B)));

        var taken = Given(catalog, SaveSubscriber("s2", mobile: B, did: A)); // the old numbers, crossed over

        Assert.Equal(new SubscriberId("s2"), taken.FindSubscriberByMobile(N(B))?.Id);
        Assert.Equal(new SubscriberId("s2"), taken.FindSubscriberByDid(N(A))?.Id);
        Assert.Equal(new SubscriberId("s1"), taken.FindSubscriberByMobile(N(C))?.Id);
        Assert.Equal(new SubscriberId("s1"), taken.FindSubscriberByDid(N(D))?.Id);
    }

    [Fact]
    public void Catalog_should_free_the_numbers_of_a_deleted_subscriber()
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SaveSubscriber("s1", mobile: A, did: B),
            new DeleteSubscriber(new SubscriberId("s1")));

        Assert.Null(catalog.FindSubscriber(new SubscriberId("s1")));
        Assert.Null(catalog.FindSubscriberByMobile(N(A)));
        Assert.Null(catalog.FindSubscriberByDid(N(B)));
        Assert.Equal(0, catalog.SubscriberCount);

        var taken = Given(catalog, SaveSubscriber("s2", mobile: A, did: B));
        Assert.Equal(new SubscriberId("s2"), taken.FindSubscriberByDid(N(B))?.Id);
    }

    // ---------------------------------------------------------------- client secrets

    [Fact]
    public void Catalog_should_refuse_a_client_secret_already_used_by_another_partner()
    {
        var catalog = Given(SavePartner("p1", "secret-1"));

        var decision = catalog.Decide(SavePartner("p2", "secret-1"));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.ClientSecretInUse);
        Assert.Contains("'clientSecret'", decision.Error!.Message);
        Assert.DoesNotContain("secret-1", decision.Error.Message);
    }

    [Fact]
    public void Catalog_should_stop_authenticating_the_old_secret_once_a_partner_replaces_it()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SavePartner("p1", "secret-2"));

        Assert.Null(catalog.FindPartnerByClientSecret("secret-1"));
        Assert.Equal(new PartnerId("p1"), catalog.FindPartnerByClientSecret("secret-2")?.Id);
        Assert.Equal(1, catalog.PartnerCount);
    }

    [Fact]
    public void Catalog_should_let_another_partner_take_a_secret_that_was_replaced()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SavePartner("p1", "secret-2"), SavePartner("p2", "secret-1"));

        Assert.Equal(new PartnerId("p2"), catalog.FindPartnerByClientSecret("secret-1")?.Id);
    }

    [Fact]
    public void Catalog_should_stop_authenticating_a_deleted_partner_and_free_its_secret()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), new DeletePartner(new PartnerId("p1")));

        Assert.Null(catalog.FindPartnerByClientSecret("secret-1"));
        Assert.Null(catalog.Decide(SavePartner("p2", "secret-1")).Error);
    }

    [Fact]
    public void Catalog_should_let_a_partner_keep_its_own_secret_when_its_urls_change()
    {
        var catalog = Given(SavePartner("p1", "secret-1"));

        var decision = catalog.Decide(SavePartner("p1", "secret-1", url: "https://elsewhere.example/sms"));

        Assert.Null(decision.Error);
        var after = catalog.Apply(Assert.IsType<PartnerSaved>(decision.Event));
        Assert.Equal("https://elsewhere.example/sms", after.FindPartnerByClientSecret("secret-1")?.PrimaryUrl.ToString());
    }

    // ---------------------------------------------------------------- deletions

    [Fact]
    public void Catalog_should_refuse_to_delete_a_partner_that_still_has_subscribers()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveSubscriber("s1", mobile: A, did: B));

        var decision = catalog.Decide(new DeletePartner(new PartnerId("p1")));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.PartnerInUse);
    }

    [Fact]
    public void Catalog_should_delete_a_partner_once_its_subscribers_are_gone()
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SaveSubscriber("s1", mobile: A, did: B),
            new DeleteSubscriber(new SubscriberId("s1")));

        var decision = catalog.Decide(new DeletePartner(new PartnerId("p1")));

        Assert.Equal(new PartnerDeleted(new PartnerId("p1")), decision.Event);
        Assert.Null(catalog.Apply(decision.Event!).FindPartner(new PartnerId("p1")));
    }

    [Fact]
    public void Catalog_should_delete_a_partner_once_its_subscribers_moved_to_another_partner()
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SavePartner("p2", "secret-2"),
            SaveSubscriber("s1", mobile: A, did: B),
            SaveSubscriber("s1", mobile: A, did: B, partner: "p2"));

        Assert.Null(catalog.Decide(new DeletePartner(new PartnerId("p1"))).Error);
        AssertRefused(catalog.Decide(new DeletePartner(new PartnerId("p2"))), ErrorKind.Conflict, ErrorCodes.PartnerInUse);
    }

    [Fact]
    public void Catalog_should_refuse_to_delete_a_group_that_still_has_subscribers()
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveGroup("g1"), SaveSubscriber("s1", mobile: A, did: B, group: "g1"));

        var decision = catalog.Decide(new DeleteGroup(new GroupId("g1")));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.GroupInUse);
    }

    [Fact]
    public void Catalog_should_delete_a_group_once_its_subscribers_left_it()
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SaveGroup("g1"),
            SaveSubscriber("s1", mobile: A, did: B, group: "g1"),
            SaveSubscriber("s1", mobile: A, did: B, group: null));

        var decision = catalog.Decide(new DeleteGroup(new GroupId("g1")));

        Assert.Equal(new GroupDeleted(new GroupId("g1")), decision.Event);
    }

    [Fact]
    public void Catalog_should_refuse_to_delete_a_recording_server_used_by_a_group()
    {
        var catalog = Given(SaveRecordingServer("rs1"), SaveGroup("g1", recordingServer: "rs1"));

        var decision = catalog.Decide(new DeleteRecordingServer(new RecordingServerId("rs1")));

        AssertRefused(decision, ErrorKind.Conflict, ErrorCodes.RecordingServerInUse);
        Assert.Contains("'g1'", decision.Error!.Message);
    }

    [Fact]
    public void Catalog_should_delete_a_recording_server_no_group_uses()
    {
        var catalog = Given(
            SaveRecordingServer("rs1"),
            SaveGroup("g1", recordingServer: "rs1"),
            SaveGroup("g1"));

        var decision = catalog.Decide(new DeleteRecordingServer(new RecordingServerId("rs1")));

        Assert.Equal(new RecordingServerDeleted(new RecordingServerId("rs1")), decision.Event);
        Assert.Equal(0, catalog.Apply(decision.Event!).RecordingServerCount);
    }

    public static TheoryData<IProvisioningCommand> DeletionsOfUnknownResources => new()
    {
        new DeletePartner(new PartnerId("nobody")),
        new DeleteRecordingServer(new RecordingServerId("nobody")),
        new DeleteGroup(new GroupId("nobody")),
        new DeleteSubscriber(new SubscriberId("nobody")),
    };

    [Theory]
    [MemberData(nameof(DeletionsOfUnknownResources))]
    public void Catalog_should_refuse_to_delete_an_unknown_resource_as_not_found(IProvisioningCommand delete)
    {
        var catalog = Given(SavePartner("p1", "secret-1"), SaveRecordingServer("rs1"), SaveGroup("g1"), SaveSubscriber("s1", mobile: A, did: B));

        var decision = catalog.Decide(delete);

        AssertRefused(decision, ErrorKind.NotFound, ErrorCodes.NotFound);
        Assert.Contains("'nobody'", decision.Error!.Message);
    }

    // ---------------------------------------------------------------- idempotence

    public static TheoryData<IProvisioningCommand> SavesOfStoredResources => new()
    {
        SavePartner("p1", "secret-1"),
        SaveRecordingServer("rs1"),
        SaveGroup("g1", recordingServer: "rs1"),
        SaveSubscriber("s1", mobile: A, did: B, group: "g1"),
    };

    [Theory]
    [MemberData(nameof(SavesOfStoredResources))]
    public void Catalog_should_decide_that_saving_an_identical_resource_again_changes_nothing(IProvisioningCommand save)
    {
        var catalog = Given(
            SavePartner("p1", "secret-1"),
            SaveRecordingServer("rs1"),
            SaveGroup("g1", recordingServer: "rs1"),
            SaveSubscriber("s1", mobile: A, did: B, group: "g1"));

        var decision = catalog.Decide(save);

        Assert.Equal(Decision.Unchanged, decision);
        Assert.Null(decision.Event);
        Assert.Null(decision.Error);
    }

    [Fact]
    public void Catalog_should_decide_that_a_partner_with_a_new_security_token_is_a_change()
    {
        var catalog = Given(SavePartner("p1", "secret-1"));

        var decision = catalog.Decide(SavePartner("p1", "secret-1", token: "another-token"));

        Assert.IsType<PartnerSaved>(decision.Event);
    }

    // ---------------------------------------------------------------- snapshots

    [Fact]
    public void Catalog_rebuilt_from_its_snapshot_should_hold_the_same_resources_and_rules()
    {
        var catalog = Given(
            SavePartner("p2", "secret-2"),
            SavePartner("p1", "secret-1"),
            SaveRecordingServer("rs1"),
            SaveGroup("g1", recordingServer: "rs1"),
            SaveGroup("g2"),
            SaveSubscriber("s2", mobile: C, did: C, partner: "p2", group: "g1"),
            SaveSubscriber("s1", mobile: A, did: B));

        var snapshot = catalog.ToSnapshot();
        var rebuilt = Catalog.FromSnapshot(snapshot);

        Assert.Equal(["p1", "p2"], snapshot.Partners.Select(p => p.Id.Value));
        Assert.Equal(["s1", "s2"], snapshot.Subscribers.Select(s => s.Id.Value));
        Assert.Equal(new PartnerId("p2"), rebuilt.FindPartnerByClientSecret("secret-2")?.Id);
        Assert.Equal(catalog.FindRecordingServer(new RecordingServerId("rs1")), rebuilt.FindRecordingServer(new RecordingServerId("rs1")));
        Assert.Equal(catalog.FindGroup(new GroupId("g1")), rebuilt.FindGroup(new GroupId("g1")));
        Assert.Equal(new SubscriberId("s2"), rebuilt.FindSubscriberByMobile(N(C))?.Id);
        Assert.Equal(new SubscriberId("s1"), rebuilt.FindSubscriberByDid(N(B))?.Id);
        Assert.Null(rebuilt.FindSubscriberByDid(N(A)));
        // the rebuilt indexes keep enforcing the cross-resource rules
        AssertRefused(rebuilt.Decide(new DeletePartner(new PartnerId("p2"))), ErrorKind.Conflict, ErrorCodes.PartnerInUse);
        AssertRefused(rebuilt.Decide(new DeleteGroup(new GroupId("g1"))), ErrorKind.Conflict, ErrorCodes.GroupInUse);
        Assert.Null(rebuilt.Decide(new DeleteGroup(new GroupId("g2"))).Error);
        AssertRefused(rebuilt.Decide(new DeleteRecordingServer(new RecordingServerId("rs1"))), ErrorKind.Conflict, ErrorCodes.RecordingServerInUse);
        AssertRefused(rebuilt.Decide(SaveSubscriber("s3", mobile: D, did: A)), ErrorKind.Conflict, ErrorCodes.DidInUse);
        AssertRefused(rebuilt.Decide(SavePartner("p3", "secret-1")), ErrorKind.Conflict, ErrorCodes.ClientSecretInUse);
        Assert.Equal(snapshot, rebuilt.ToSnapshot(), SnapshotComparer.Instance);
    }

    [Fact]
    public void Catalog_rebuilt_from_an_empty_snapshot_should_be_empty()
    {
        var rebuilt = Catalog.FromSnapshot(Catalog.Empty.ToSnapshot());

        Assert.Equal(0, rebuilt.PartnerCount + rebuilt.GroupCount + rebuilt.RecordingServerCount + rebuilt.SubscriberCount);
    }

    // ---------------------------------------------------------------- properties

    private static readonly string[] SubscriberPool = ["s1", "s2", "s3"];
    private static readonly string[] NumberPool = [A, B, C, D];
    private static readonly string[] PartnerPool = ["p1", "p2"];
    private static readonly string?[] GroupPool = [null, "g1", "g2"];

    private static readonly Gen<IProvisioningCommand> SubscriberCommands = Gen.Frequency(
        (3, from id in Gen.Elements(SubscriberPool)
            from mobile in Gen.Elements(NumberPool)
            from did in Gen.Elements(NumberPool)
            from partner in Gen.Elements(PartnerPool)
            from grp in Gen.Elements(GroupPool)
            select (IProvisioningCommand)SaveSubscriber(id, mobile, did, partner, grp)),
        (1, from id in Gen.Elements(SubscriberPool)
            select (IProvisioningCommand)new DeleteSubscriber(new SubscriberId(id))));

    [Property(MaxTest = 300)]
    public Property Catalog_rebuilt_from_its_snapshot_should_answer_every_lookup_like_the_original() =>
        Prop.ForAll(SubscriberCommands.ListOf().ToArbitrary(), commands =>
        {
            var catalog = Given(
                SavePartner("p1", "secret-1"), SavePartner("p2", "secret-2"), SaveGroup("g1"), SaveGroup("g2"));
            var model = new Dictionary<SubscriberId, Subscriber>();

            foreach (var command in commands)
            {
                var decision = catalog.Decide(command);
                Assert.Equal(ExpectedToBeAccepted(model, command), decision.Error is null);
                if (decision.Event is null) continue;
                catalog = catalog.Apply(decision.Event);
                switch (command)
                {
                    case SaveSubscriber save: model[save.Subscriber.Id] = save.Subscriber; break;
                    case DeleteSubscriber delete: model.Remove(delete.Id); break;
                }
                AssertNoNumberMapsToTwoSubscribers(catalog);
            }

            var rebuilt = Catalog.FromSnapshot(catalog.ToSnapshot());

            Assert.Equal(model.Count, catalog.SubscriberCount);
            foreach (var c in new[] { catalog, rebuilt })
                AssertNoNumberMapsToTwoSubscribers(c);
            AssertSameAnswers(catalog, rebuilt);
        });

    /// <summary>The model of the rules: a save is refused only when another subscriber holds one of its numbers.</summary>
    private static bool ExpectedToBeAccepted(Dictionary<SubscriberId, Subscriber> model, IProvisioningCommand command) =>
        command switch
        {
            SaveSubscriber save => !model.Values.Any(other => other.Id != save.Subscriber.Id &&
                (other.Mobile == save.Subscriber.Mobile || other.Mobile == save.Subscriber.Did ||
                 other.Did == save.Subscriber.Mobile || other.Did == save.Subscriber.Did)),
            DeleteSubscriber delete => model.ContainsKey(delete.Id),
            _ => throw new ArgumentOutOfRangeException(nameof(command)),
        };

    private static void AssertNoNumberMapsToTwoSubscribers(Catalog catalog)
    {
        var owners = catalog.Subscribers
            .SelectMany(s => new[] { s.Mobile, s.Did }.Distinct().Select(number => (number, s.Id)))
            .GroupBy(x => x.number);
        foreach (var owner in owners)
            Assert.Single(owner);
        foreach (var s in catalog.Subscribers)
        {
            Assert.Equal(s, catalog.FindSubscriberByMobile(s.Mobile));
            Assert.Equal(s, catalog.FindSubscriberByDid(s.Did));
        }
    }

    private static void AssertSameAnswers(Catalog original, Catalog rebuilt)
    {
        Assert.Equal(original.SubscriberCount, rebuilt.SubscriberCount);
        Assert.Equal(original.PartnerCount, rebuilt.PartnerCount);
        Assert.Equal(original.GroupCount, rebuilt.GroupCount);
        Assert.Equal(original.RecordingServerCount, rebuilt.RecordingServerCount);
        foreach (var id in SubscriberPool.Select(x => new SubscriberId(x)))
            Assert.Equal(original.FindSubscriber(id), rebuilt.FindSubscriber(id));
        foreach (var number in NumberPool.Select(N))
        {
            Assert.Equal(original.FindSubscriberByDid(number), rebuilt.FindSubscriberByDid(number));
            Assert.Equal(original.FindSubscriberByMobile(number), rebuilt.FindSubscriberByMobile(number));
        }
        // the per-partner and per-group subscriber counts are indexes too: deletions must be judged alike
        foreach (var partner in PartnerPool)
            Assert.Equal(original.Decide(new DeletePartner(new PartnerId(partner))), rebuilt.Decide(new DeletePartner(new PartnerId(partner))));
        foreach (var group in GroupPool.OfType<string>())
            Assert.Equal(original.Decide(new DeleteGroup(new GroupId(group))), rebuilt.Decide(new DeleteGroup(new GroupId(group))));
    }

    // ---------------------------------------------------------------- helpers

    private static E164Number N(string text) => E164Number.Parse(text);

    private static Subscriber Subscriber(string id, string mobile, string did, string partner = "p1", string? group = null,
        string domain = "acme.example") =>
        new(new SubscriberId(id), N(mobile), N(did), domain, new PartnerId(partner), group is null ? null : new GroupId(group));

    private static SaveSubscriber SaveSubscriber(string id, string mobile, string did, string partner = "p1", string? group = null,
        string domain = "acme.example") =>
        new(Subscriber(id, mobile, did, partner, group, domain));

    private static SavePartner SavePartner(string id, string clientSecret, string url = "https://partner.example/sms",
        string token = "security-token") =>
        new(new Partner(new PartnerId(id), HttpUrl.Parse(url), null, SecretDigest.Of(clientSecret), new Secret(token)));

    private static SaveRecordingServer SaveRecordingServer(string id) =>
        new(new RecordingServer(new RecordingServerId(id), "Recorder " + id, HttpUrl.Parse("https://recorder.example/" + id), null));

    private static SaveGroup SaveGroup(string id, string? recordingServer = null) =>
        new(new Group(new GroupId(id), recordingServer is null
            ? MessageCopySetting.Disabled
            : new MessageCopySetting(true, new RecordingServerId(recordingServer))));

    private static Catalog Given(params IProvisioningCommand[] commands) => Given(Catalog.Empty, commands);

    /// <summary>Decides and applies each command, failing the test if one is refused or changes nothing.</summary>
    private static Catalog Given(Catalog catalog, params IProvisioningCommand[] commands)
    {
        foreach (var command in commands)
        {
            var decision = catalog.Decide(command);
            Assert.True(decision.Error is null, $"{command} was refused: {decision.Error}");
            Assert.True(decision.Event is not null, $"{command} changed nothing");
            catalog = catalog.Apply(decision.Event);
        }
        return catalog;
    }

    private static void AssertRefused(Decision decision, ErrorKind kind, string code)
    {
        Assert.Null(decision.Event);
        Assert.NotNull(decision.Error);
        Assert.Equal(code, decision.Error.Code);
        Assert.Equal(kind, decision.Error.Kind);
        Assert.False(string.IsNullOrWhiteSpace(decision.Error.Message));
    }

    /// <summary>Snapshots hold lists, which records compare by reference; this compares their items.</summary>
    internal sealed class SnapshotComparer : IEqualityComparer<CatalogSnapshot>
    {
        public static readonly SnapshotComparer Instance = new();

        public bool Equals(CatalogSnapshot? x, CatalogSnapshot? y) =>
            x is not null && y is not null &&
            x.Partners.SequenceEqual(y.Partners) &&
            x.RecordingServers.SequenceEqual(y.RecordingServers) &&
            x.Groups.SequenceEqual(y.Groups) &&
            x.Subscribers.SequenceEqual(y.Subscribers);

        public int GetHashCode(CatalogSnapshot obj) => obj.Subscribers.Count;
    }
}
