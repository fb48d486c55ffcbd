using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;

namespace Kmesh.Xds.Ads;

/// <summary>The state a response would lead to, not yet committed: the daemon decides first.</summary>
internal sealed record XdsProposal(
    Dictionary<string, Dictionary<string, XdsResource>> Sets,
    Dictionary<string, string> Versions,
    EnvoyResources Resources,
    Dictionary<string, Listener> ActiveListeners,
    Dictionary<string, Cluster> ActiveClusters,
    IReadOnlySet<string>? Scrutinized,
    bool Warm);
