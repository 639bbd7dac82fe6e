using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Sms;
using Gateway.Engine.Delivery;
using Gateway.Engine.Provisioning;
using static Gateway.Engine.Subscribers.SubscriberProtocol;

namespace Gateway.Engine.Subscribers;

/// <summary>
/// Originations from the network into the subscriber entities: finds the subscriber by its handset's
/// number and answers once the entity has journaled what the network handed over.
/// </summary>
public sealed class SubscriberIngress(IRequiredActor<SubscriberRegion> region, ProvisioningDirectory directory, SubscriberSettings settings)
    : IOriginationIngress
{
    public Task<IngressResult> ReceiveSmsSegmentAsync(E164Number handset, RecipientAddress to, SmsSegment segment, CancellationToken cancellationToken) =>
        AskAsync(handset, id => new ReceiveSmsSegment(id, to.Value, segment.DataCoding, segment.HasUserDataHeader, segment.ShortMessage.ToArray()),
            cancellationToken);

    public Task<IngressResult> ReceiveMmsAsync(
        E164Number handset, IReadOnlyList<RecipientAddress> to, string? text, IReadOnlyList<MediaItem> media, CancellationToken cancellationToken) =>
        AskAsync(handset, id => new ReceiveMms(id, to.Select(t => t.Value).ToList(), text, media), cancellationToken);

    private async Task<IngressResult> AskAsync(E164Number handset, Func<string, ISubscriberCommand> command, CancellationToken cancellationToken)
    {
        if (directory.Catalog.FindSubscriberByMobile(handset) is not { } subscriber)
            return new IngressResult(IngressStatus.UnknownHandset, $"{handset} is not the mobile of a provisioned subscriber");
        object reply;
        try
        {
            var actor = await region.GetAsync(cancellationToken);
            reply = await actor.Ask<object>(command(subscriber.Id.Value), settings.AcceptTimeout, cancellationToken);
        }
        catch (AskTimeoutException)
        {
            return new IngressResult(IngressStatus.Unavailable, "the subscriber's journal did not answer in time");
        }
        return reply switch
        {
            Accepted => IngressResult.Accepted,
            Refused refused => new IngressResult(IngressStatus.Refused, $"{refused.Code}: {refused.Message}"),
            _ => new IngressResult(IngressStatus.Unavailable, $"unexpected answer {reply.GetType().Name}"),
        };
    }
}
