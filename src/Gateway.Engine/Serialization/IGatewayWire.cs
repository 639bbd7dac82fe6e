namespace Gateway.Engine.Serialization;

/// <summary>
/// Marks an engine message that crosses the cluster (or is journaled): it is bound to the
/// <see cref="GatewaySerializer"/> and must have an entry in <see cref="WireManifests"/>.
/// Domain events and commands are bound through their own marker interfaces.
/// </summary>
public interface IGatewayWire;
