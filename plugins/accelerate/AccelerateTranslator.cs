using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Accelerate;

/// <summary>
/// Acceleration is on for every connection between two local workloads; the translator only
/// writes who opted out. A service opts out with metadata on its listener, a cluster on the
/// cluster: <c>metadata: { filter_metadata: { kmesh: { accelerate: false } } }</c> (some
/// applications, zero-copy users for example, do not tolerate the shortcut).
/// </summary>
public sealed class AccelerateTranslator : ITranslator
{
    /// <summary>The filter_metadata namespace and key read.</summary>
    public const string MetadataNamespace = "kmesh", MetadataKey = "accelerate";

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var services = output.Map<uint, byte>(AccelerateMaps.OptOutServices);
        var clusters = output.Map<uint, byte>(AccelerateMaps.OptOutClusters);
        foreach (var listener in snapshot.Listeners)
        {
            if (OptsOut(listener.Metadata, $"listener {listener.Name}", output))
                services.Set(snapshot.Ids.ServiceId(listener.Name), 1);
        }
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            if (OptsOut(cluster.Metadata, $"cluster {name}", output))
                clusters.Set(snapshot.Ids.ClusterId(name), 1);
        }
    }

    /// <summary>True for <c>accelerate: false</c> (or "false"); anything else but true is an error naming the field.</summary>
    private static bool OptsOut(Metadata? metadata, string resource, TranslationOutput output)
    {
        if (metadata?.FilterMetadata.TryGetValue(MetadataNamespace, out var kmesh) != true
            || !kmesh!.Fields.TryGetValue(MetadataKey, out var value))
            return false;
        switch (value.KindCase)
        {
            case Value.KindOneofCase.BoolValue:
                return !value.BoolValue;
            case Value.KindOneofCase.StringValue when bool.TryParse(value.StringValue, out var flag):
                return !flag;
            default:
                output.Error(resource, $"metadata.filter_metadata.{MetadataNamespace}.{MetadataKey}", $"expected true or false, got {value}");
                return false;
        }
    }
}
