using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Xds.Ads;

/// <summary>The state a response would lead to, not yet committed: the daemon decides first.</summary>
internal sealed record XdsProposal(
    Dictionary<string, Dictionary<string, XdsResource>> Sets,
    Dictionary<string, string> Versions,
    EnvoyResources Resources,
    Dictionary<string, Listener> ActiveListeners,
    Dictionary<string, Cluster> ActiveClusters,
    IReadOnlySet<ResourceRef>? Scrutinized,
    bool Warm);
