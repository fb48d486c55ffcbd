namespace Kmesh.Waypoint.Routing;

/// <summary>One compiled route: when it applies, what it does, and the headers it edits.</summary>
/// <param name="Name">The route's <c>name</c>, or its position (<c>routes[3]</c>) when unnamed.</param>
/// <param name="Source">The route as configured, for plugins' L7 parts.</param>
internal sealed record WaypointRoute(string Name, RouteCondition Condition, RouteOutcome Outcome, HeaderEdits RequestHeaders, HeaderEdits ResponseHeaders, global::Envoy.Config.Route.V3.Route Source);

/// <summary>What a matched route does with the request.</summary>
internal abstract record RouteOutcome;

/// <summary>A <c>direct_response</c>: the waypoint answers itself.</summary>
internal sealed record DirectAnswer(int Status, string? Body) : RouteOutcome;

/// <summary>A <c>redirect</c>: 301 (or the configured code) to a rewritten location.</summary>
/// <param name="Path">A <c>path_redirect</c>: the whole new path; <paramref name="Rewrite"/> rewrites the request's path instead.</param>
internal sealed record RedirectAnswer(int Status, string? Scheme, string? Host, int? Port, string? Path, PathRewrite? Rewrite, bool StripQuery) : RouteOutcome;

/// <summary>A <c>route</c> action: proxy to one of the clusters.</summary>
/// <param name="Clusters">The cluster, or the weighted clusters with their weights.</param>
/// <param name="Timeout">Envoy's route <c>timeout</c> (15 s when unset; null when 0: none).</param>
/// <param name="Rewrite">The route's <c>prefix_rewrite</c> or <c>regex_rewrite</c>, null when none.</param>
/// <param name="HostRewrite">The route's host rewrite, null when the client's authority is kept.</param>
/// <param name="Mirrors">The route's <c>request_mirror_policies</c>, null when none.</param>
/// <param name="CountAttemptsUpstream">The virtual host's <c>include_request_attempt_count</c>: each try carries <c>x-envoy-attempt-count</c>.</param>
/// <param name="CountAttemptsInResponse">The virtual host's <c>include_attempt_count_in_response</c>: so does the answer to the client.</param>
/// <param name="ClusterNotFoundStatus">The answer when the cluster is not known: <c>cluster_not_found_response_code</c> (503, 404 or 500).</param>
internal sealed record ForwardAction(
    IReadOnlyList<(string Cluster, uint Weight)> Clusters,
    uint TotalWeight,
    TimeSpan? Timeout,
    RetryPlan Retry,
    PathRewrite? Rewrite,
    HostRewrite? HostRewrite,
    RequestHash? Hash = null,
    IReadOnlyList<MirrorPolicy>? Mirrors = null,
    int ClusterNotFoundStatus = 503,
    bool CountAttemptsUpstream = false,
    bool CountAttemptsInResponse = false) : RouteOutcome
{
    /// <summary>Picks the cluster for one request: weighted clusters are chosen per request.</summary>
    public string PickCluster()
    {
        if (Clusters.Count == 1)
            return Clusters[0].Cluster;
        var ticket = (uint)Random.Shared.NextInt64(TotalWeight);
        foreach (var (cluster, weight) in Clusters)
        {
            if (ticket < weight)
                return cluster;
            ticket -= weight;
        }
        return Clusters[^1].Cluster;
    }
}
