using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>
/// A translator for policy tests: one map entry per cluster (key: the cluster's id); a cluster
/// named <c>bad-*</c> is invalid config (an error naming it); a cluster named <c>boom</c> makes
/// the translator throw (a plugin bug).
/// </summary>
internal sealed class ClusterTranslator : ITranslator
{
    public const string MapName = "clusters";

    public void Translate(MeshSnapshot snapshot, TranslationOutput output)
    {
        var map = output.Map<uint, uint>(MapName);
        foreach (var cluster in snapshot.Clusters.Values)
        {
            if (cluster.Name == "boom")
                throw new InvalidOperationException("fixture translator failure");
            if (cluster.Name.StartsWith("bad-", StringComparison.Ordinal))
            {
                output.Error(ResourceRef.Cluster(cluster.Name), "type", "is not something this plugin can do");
                continue;
            }
            map.Set(snapshot.Ids.ClusterId(cluster.Name), 1);
            output.Applied(ResourceRef.Cluster(cluster.Name), "", AppliedKind.Policy, "one entry");
        }
    }
}
