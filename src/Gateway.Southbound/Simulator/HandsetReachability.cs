using System.Collections.Concurrent;
using Gateway.Domain.Addressing;

namespace Gateway.Southbound.Simulator;

/// <summary>
/// Whether deliveries to a simulated handset succeed (CONTRACT §5, <c>PUT /sim/handsets/{mobile}/reachable</c>);
/// the <see cref="SimulatedMobileNetwork"/> asks at each delivery.
/// </summary>
public interface IHandsetReachability
{
    /// <summary>Whether deliveries to <paramref name="handset"/> succeed now; true for a handset never switched.</summary>
    ValueTask<bool> IsReachableAsync(E164Number handset, CancellationToken cancellationToken);
}

/// <summary>Reachability held in this process only (a network on its own, as in the simulator's specs).</summary>
public sealed class LocalHandsetReachability : IHandsetReachability
{
    private readonly ConcurrentDictionary<E164Number, bool> _unreachable = new();

    /// <summary>Makes deliveries to <paramref name="handset"/> fail temporarily (false) or succeed again (true).</summary>
    public void SetReachable(E164Number handset, bool reachable)
    {
        if (reachable)
            _unreachable.TryRemove(handset, out _);
        else
            _unreachable[handset] = true;
    }

    public bool IsReachable(E164Number handset) => !_unreachable.ContainsKey(handset);

    public ValueTask<bool> IsReachableAsync(E164Number handset, CancellationToken cancellationToken) =>
        ValueTask.FromResult(IsReachable(handset));
}
