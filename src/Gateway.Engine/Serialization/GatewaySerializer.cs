using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace Gateway.Engine.Serialization;

/// <summary>
/// Serializes journaled events, snapshots and cluster messages as UTF-8 JSON (System.Text.Json)
/// under the stable manifests of <see cref="WireManifests"/>, instead of Akka's Newtonsoft
/// fallback, whose payloads embed .NET type names and break on a rename.
/// </summary>
public sealed class GatewaySerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Stored with every journal row; never change it.</summary>
    public const int SerializerId = 4100;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => WireManifests.ManifestOf(o.GetType());

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), GatewayJson.Options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        JsonSerializer.Deserialize(bytes, WireManifests.TypeOf(manifest), GatewayJson.Options)
        ?? throw new System.Runtime.Serialization.SerializationException($"Payload of manifest '{manifest}' is JSON null.");
}
