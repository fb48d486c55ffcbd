using Kmesh.Waypoint.Routing;
using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Proxy;

/// <summary>
/// What the retrying handler needs to know about one proxied request: the retry policy, the
/// cluster to pick another endpoint from, and the upstream path. Travels in the request's options.
/// </summary>
internal sealed class AttemptPlan(RetryPlan retry, UpstreamCluster cluster, UpstreamEndpoint first, string pathAndQuery, bool pathRewritten)
{
    public static readonly HttpRequestOptionsKey<AttemptPlan> Key = new("kmesh.waypoint.attempt");

    public RetryPlan Retry { get; } = retry;
    public UpstreamCluster Cluster { get; } = cluster;
    public UpstreamEndpoint Endpoint { get; set; } = first;
    public string PathAndQuery { get; } = pathAndQuery;

    /// <summary>Whether <see cref="PathAndQuery"/> differs from the request's (a prefix or regex rewrite).</summary>
    public bool PathRewritten { get; } = pathRewritten;

    /// <summary>Tries made so far (1 after the first), for the access log and <c>x-envoy-attempt-count</c>.</summary>
    public int Attempts { get; set; }

    /// <summary>The request body kept for retries: read ahead (<see cref="RequestBodyBuffer"/>) or copied as it streamed (<see cref="BodyCapture"/>); null until then, or when too large.</summary>
    public byte[]? Body { get; set; }

    /// <summary>Whether each try tells the upstream its number in <c>x-envoy-attempt-count</c> (the virtual host's <c>include_request_attempt_count</c>).</summary>
    public bool CountAttempts { get; init; }

    /// <summary>True when the last try ran out of its <c>per_try_timeout</c>.</summary>
    public bool LastTryTimedOut { get; set; }
}
