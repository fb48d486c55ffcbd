using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Sources;
using Kmesh.Xds.Validation;

namespace Kmesh.Xds.Ads;

/// <summary>
/// Envoy's validation of a response's resources (proto rules and the checks it makes in code),
/// before anything of the response is offered to the daemon: a violation NACKs the whole
/// response, as it does in Envoy, and the state in force keeps serving.
/// </summary>
internal static class AdsValidation
{
    // edsIndex: EDS name → the clusters of a cluster set using it, in the set's order (XdsState.EdsIndex).
    public static List<ResourceRejection> Check(string typeUrl, IReadOnlyList<XdsResource> upserts, XdsProposal proposal,
        Func<Dictionary<string, XdsResource>, Dictionary<string, List<Cluster>>> edsIndex)
    {
        var rejections = new List<ResourceRejection>();
        var clusters = proposal.Sets[EnvoyTypes.Cluster];
        Dictionary<string, List<Cluster>>? owners = null;
        foreach (var resource in upserts)
        {
            var label = XdsTypes.Reference(typeUrl, resource.Name);
            Cluster? owner = null;
            if (resource.Message is ClusterLoadAssignment)
            {
                owners ??= edsIndex(clusters);
                owner = owners.GetValueOrDefault(resource.Name)?[0];
            }
            rejections.AddRange(ResourceValidator.Validate(resource.Message, label, owner));
            // A cluster whose policy changes to RING_HASH or MAGLEV is checked against the assignment it already has.
            if (resource.Message is Cluster cluster && XdsTypes.EdsName(cluster) is { } eds
                && proposal.Sets[EnvoyTypes.ClusterLoadAssignment].TryGetValue(eds, out var assignment))
            {
                var violations = new List<Violation>();
                EnvoySemantics.Assignment((ClusterLoadAssignment)assignment.Message, cluster, violations);
                rejections.AddRange(violations.Take(ResourceValidator.MaxPerResource)
                    .Select(v => new ResourceRejection(label, $"(cluster load assignment {eds}) {v.Path}", v.Reason)));
            }
        }
        return rejections;
    }
}
