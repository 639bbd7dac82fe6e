using Akka.Actor;
using Akka.Hosting;
using Gateway.Domain.Provisioning;
using Gateway.Engine.Provisioning;
using Gateway.Testing;

namespace Gateway.Engine.Tests.Provisioning;

/// <summary>Sends provisioning commands through a node's singleton proxy, as the admin API does.</summary>
public static class Authority
{
    public static async Task<T> Ask<T>(TestNode node, IProvisioningCommand command, TimeSpan timeout)
    {
        var authority = await ActorRegistry.For(node.System).GetAsync<ProvisioningAuthority>();
        return await authority.Ask<T>(command, timeout);
    }

    public static Task<ProvisioningProtocol.Applied> Provision(TestNode node, IProvisioningCommand command, TimeSpan timeout) =>
        Ask<ProvisioningProtocol.Applied>(node, command, timeout);
}
