using Envoy.Config.Core.V3;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Accelerate;

/// <summary>
/// Acceleration is on for every connection between two local workloads, whether the client
/// dialed a service VIP or the other workload's own address; the translator only writes who
/// opted out. A service opts out with metadata on its listener, a cluster on the cluster:
/// <c>metadata: { filter_metadata: { kmesh: { accelerate: false } } }</c> (some applications,
/// zero-copy users for example, do not tolerate the shortcut); that covers connections to the
/// service's VIP, the only ones that carry a service. A workload opts out by its cgroup, for
/// every connection: <c>--plugin-arg accelerate.exclude-cgroup=DIR</c> (repeatable; a pod's
/// cgroup covers its containers' cgroups below it).
/// </summary>
public sealed class AccelerateTranslator : IIncrementalTranslator, IConfigurable
{
    /// <summary>
    /// Reads only listeners and clusters (their metadata), never endpoints: an endpoint change leaves its maps as they are. Any
    /// other change is translated in full.
    /// </summary>
    public bool TranslateChanges(MeshSnapshot snapshot, MeshChanges changes, TranslationDelta delta) => changes.OnlyEndpoints;

    /// <summary>The filter_metadata namespace and key read.</summary>
    public const string MetadataNamespace = "kmesh", MetadataKey = "accelerate";

    /// <summary>The argument naming an opted-out cgroup directory.</summary>
    public const string ExcludeCgroup = "exclude-cgroup";

    private const string OptOutField = $"metadata.filter_metadata.{MetadataNamespace}.{MetadataKey}";

    private IReadOnlyList<ulong> _excludedCgroups = [];

    /// <inheritdoc />
    public void Configure(PluginArguments arguments)
    {
        arguments.RejectUnknown(ExcludeCgroup);
        // Resolved once, here: a cgroup's id never changes, and translation stays free of I/O.
        _excludedCgroups = arguments.All(ExcludeCgroup).Select(CgroupIds.Of).ToList();
    }

    /// <inheritdoc />
    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var services = output.Map<uint, byte>(AccelerateMaps.OptOutServices);
        var clusters = output.Map<uint, byte>(AccelerateMaps.OptOutClusters);
        var cgroups = output.Map<ulong, byte>(AccelerateMaps.OptOutCgroups);
        foreach (var cgroup in _excludedCgroups)
            cgroups.Set(cgroup, 1);
        output.Map<uint, AccelerateSettings>(AccelerateMaps.Settings)
            .Set(0u, new AccelerateSettings { ExcludedCgroups = (uint)_excludedCgroups.Count });
        foreach (var listener in snapshot.Listeners)
        {
            if (OptsOut(listener.Metadata, ResourceRef.Listener(listener.Name), output))
            {
                services.Set(snapshot.Ids.ServiceId(listener.Name), 1);
                output.Applied(ResourceRef.Listener(listener.Name), OptOutField, AppliedKind.Policy, "same-node acceleration off for this service");
            }
        }
        foreach (var (name, cluster) in snapshot.Clusters)
        {
            if (OptsOut(cluster.Metadata, ResourceRef.Cluster(name), output))
            {
                clusters.Set(snapshot.Ids.ClusterId(name), 1);
                output.Applied(ResourceRef.Cluster(name), OptOutField, AppliedKind.Policy, "same-node acceleration off for this cluster");
            }
        }
    }

    /// <summary>True for <c>accelerate: false</c> (or "false"); anything else but true is an error naming the field.</summary>
    private static bool OptsOut(Metadata? metadata, ResourceRef resource, TranslationOutput output)
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
                output.Error(resource, OptOutField, $"expected true or false, got {value}");
                return false;
        }
    }
}
