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
        var clusters = proposal.Sets[EnvoyTypes.Cluster];
        var assignments = proposal.Sets[EnvoyTypes.ClusterLoadAssignment];
        Dictionary<string, List<Cluster>>? owners = null;
        foreach (var resource in upserts)
        {
            if (resource.Message is ClusterLoadAssignment)
            {
                owners = edsIndex(clusters);
                break;
            }
        }
        // Each resource is checked on its own (a large response on every CPU); findings keep the response's order.
        // The first alone: it builds the validation plans of the response's shape, which the others then share
        // (plans worked out by two threads at once would be right, but maybe look further than needed).
        var found = new List<ResourceRejection>?[upserts.Count];
        if (upserts.Count > 0)
            found[0] = CheckOne(typeUrl, upserts[0], owners, assignments);
        Concurrently.For(upserts.Count - 1, i => found[i + 1] = CheckOne(typeUrl, upserts[i + 1], owners, assignments));
        var rejections = new List<ResourceRejection>();
        foreach (var one in found)
        {
            if (one is not null)
                rejections.AddRange(one);
        }
        return rejections;
    }

    private static List<ResourceRejection>? CheckOne(string typeUrl, XdsResource resource,
        Dictionary<string, List<Cluster>>? owners, Dictionary<string, XdsResource> assignments)
    {
        var label = XdsTypes.Reference(typeUrl, resource.Name);
        var owner = resource.Message is ClusterLoadAssignment ? owners!.GetValueOrDefault(resource.Name)?[0] : null;
        List<ResourceRejection>? found = null;
        foreach (var rejection in ResourceValidator.Validate(resource.Message, label, owner))
            (found ??= []).Add(rejection);
        // A cluster whose policy changes to RING_HASH or MAGLEV is checked against the assignment it already has.
        if (resource.Message is Cluster cluster && XdsTypes.EdsName(cluster) is { } eds
            && assignments.TryGetValue(eds, out var assignment))
        {
            var violations = new List<Violation>();
            EnvoySemantics.Assignment((ClusterLoadAssignment)assignment.Message, cluster, violations);
            foreach (var v in violations.Take(ResourceValidator.MaxPerResource))
                (found ??= []).Add(new ResourceRejection(label, $"(cluster load assignment {eds}) {v.Path}", v.Reason));
        }
        return found;
    }
}
