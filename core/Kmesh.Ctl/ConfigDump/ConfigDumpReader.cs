using System.Text.Json.Nodes;
using Envoy.Admin.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Ctl.Admin;
using Kmesh.Envoy.Api;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>
/// Reads <c>/config_dump</c> as Envoy's <c>envoy.admin.v3.ConfigDump</c> with Google.Protobuf's
/// JSON parser, resolving every <c>Any</c> through the Envoy types we compile.
/// </summary>
internal static class ConfigDumpReader
{
    private const string StructTypeUrl = EnvoyTypes.TypeUrlPrefix + "google.protobuf.Struct";

    // Envoy's messages (the dump, the resources, the filters in them) and Struct for kmesh's own section.
    private static readonly TypeRegistry Registry =
        TypeRegistry.FromFiles([.. EnvoyTypes.Files, StructReflection.Descriptor]);

    private static readonly JsonParser Parser =
        new(JsonParser.Settings.Default.WithTypeRegistry(Registry).WithIgnoreUnknownFields(true));

    public static global::Envoy.Admin.V3.ConfigDump Parse(string json)
    {
        try
        {
            var document = JsonNode.Parse(json) ?? throw new AdminResponseException("/config_dump", "the answer is null");
            return Parser.Parse<global::Envoy.Admin.V3.ConfigDump>(KeepUnknownAsStruct(document).ToJsonString());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidProtocolBufferException or InvalidJsonException)
        {
            throw new AdminResponseException("/config_dump", e.Message, e);
        }
    }

    /// <summary>
    /// A control plane may put extensions in a typed_config that we do not compile (Istio's
    /// metadata exchange, a WASM filter): one such <c>Any</c> must not make the whole dump
    /// unreadable, so it is read as a <c>google.protobuf.Struct</c> holding the same JSON.
    /// </summary>
    private static JsonNode KeepUnknownAsStruct(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj when obj["@type"]?.GetValue<string>() is { } typeUrl && !IsKnown(typeUrl):
                var fields = new JsonObject();
                foreach (var (name, value) in obj.ToList())
                {
                    if (name == "@type")
                        continue;
                    obj.Remove(name);
                    fields[name] = value;
                }
                return new JsonObject { ["@type"] = StructTypeUrl, ["value"] = fields };
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is not null)
                    {
                        var replacement = KeepUnknownAsStruct(value);
                        if (!ReferenceEquals(replacement, value))
                            obj[name] = replacement;
                    }
                }
                return obj;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is { } item)
                    {
                        var replacement = KeepUnknownAsStruct(item);
                        if (!ReferenceEquals(replacement, item))
                            array[i] = replacement;
                    }
                }
                return array;
            default:
                return node;
        }
    }

    private static bool IsKnown(string typeUrl) =>
        Registry.Find(typeUrl[(typeUrl.LastIndexOf('/') + 1)..]) is not null;
}
