using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Domain.Addressing;
using Gateway.Domain.Messaging;
using Gateway.Domain.Provisioning;

namespace Gateway.Engine.Serialization;

/// <summary>
/// The System.Text.Json options of the wire and journal format: camelCase names, value types as
/// plain strings, enums by name, and interface-typed fields written as <c>{manifest, payload}</c>.
/// </summary>
public static class GatewayJson
{
    public static readonly JsonSerializerOptions Options = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            // Journal rows are read by programs, not rendered in HTML: keep '+' and non-ASCII text readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            Converters =
            {
                new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false),
                new StringValueConverter<E164Number>(v => v.Value, E164Number.Parse),
                new StringValueConverter<HttpUrl>(v => v.ToString(), HttpUrl.Parse),
                new StringValueConverter<PartnerId>(v => v.Value, s => new PartnerId(s)),
                new StringValueConverter<SubscriberId>(v => v.Value, s => new SubscriberId(s)),
                new StringValueConverter<GroupId>(v => v.Value, s => new GroupId(s)),
                new StringValueConverter<RecordingServerId>(v => v.Value, s => new RecordingServerId(s)),
                // Secrets are written in full: this format is for the journal and the cluster, never for API responses.
                new StringValueConverter<Secret>(v => v.Value, s => new Secret(s)),
                new StringValueConverter<SecretDigest>(v => v.Hex, s => new SecretDigest(s)),
                new StringValueConverter<MessageId>(v => v.Value, MessageId.Parse),
                new ManifestEnvelopeConverter<IProvisioningEvent>(),
            },
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class StringValueConverter<T>(Func<T, string> write, Func<string, T> read) : JsonConverter<T>
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? read(reader.GetString()!)
                : throw new JsonException($"Expected a string for {typeof(T).Name}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(write(value));
    }

    /// <summary>A field typed as an interface: the concrete type travels as its wire manifest.</summary>
    private sealed class ManifestEnvelopeConverter<TInterface> : JsonConverter<TInterface> where TInterface : class
    {
        public override TInterface Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var manifest = root.GetProperty("manifest").GetString() ?? throw new JsonException("Missing manifest.");
            var type = WireManifests.TypeOf(manifest);
            return (TInterface)(root.GetProperty("payload").Deserialize(type, options)
                                ?? throw new JsonException($"Empty payload for {manifest}."));
        }

        public override void Write(Utf8JsonWriter writer, TInterface value, JsonSerializerOptions options)
        {
            writer.WriteStartObject();
            writer.WriteString("manifest", WireManifests.ManifestOf(value.GetType()));
            writer.WritePropertyName("payload");
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
            writer.WriteEndObject();
        }
    }
}
