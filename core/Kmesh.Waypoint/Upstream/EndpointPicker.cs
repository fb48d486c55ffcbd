using Envoy.Config.Cluster.V3;

namespace Kmesh.Waypoint.Upstream;

/// <summary>
/// Chooses an endpoint per request with the cluster's <c>lb_policy</c> and the endpoints' weights:
/// weighted round robin (smooth: no burst to one endpoint), weighted random, or least request
/// (two weighted random choices, the one with fewer requests in flight, as Envoy's default
/// <c>choice_count</c> 2). Ring hash and Maglev go by the request's hash key (the route's
/// <c>hash_policy</c>), on a consistent ring and in Maglev's lookup table; a request without a key
/// is balanced at random, as Envoy does.
/// </summary>
internal sealed class EndpointPicker
{
    private readonly UpstreamEndpoint[] _endpoints;
    private readonly long[] _cumulative;
    private readonly long _total;
    private readonly Cluster.Types.LbPolicy _policy;
    private readonly long[] _current;
    private readonly Lock _roundRobin = new();
    private readonly HashRing? _ring;
    private readonly MaglevTable? _maglev;

    /// <param name="maglevSize">The size of a Maglev cluster's lookup table (a prime).</param>
    public EndpointPicker(IReadOnlyList<UpstreamEndpoint> endpoints, Cluster.Types.LbPolicy policy, int maglevSize = MaglevTable.DefaultSize)
    {
        _endpoints = [.. endpoints];
        _policy = policy;
        _cumulative = new long[_endpoints.Length];
        long sum = 0;
        for (var i = 0; i < _endpoints.Length; i++)
            _cumulative[i] = sum += Math.Max(1u, _endpoints[i].Weight);
        _total = sum;
        _current = new long[_endpoints.Length];
        if (policy == Cluster.Types.LbPolicy.RingHash && _endpoints.Length > 1)
            _ring = new HashRing(_endpoints);
        else if (policy == Cluster.Types.LbPolicy.Maglev && _endpoints.Length > 1)
            _maglev = new MaglevTable(_endpoints, maglevSize);
    }

    public IReadOnlyList<UpstreamEndpoint> Endpoints => _endpoints;

    /// <summary>An endpoint, or null when the cluster has none (Envoy answers 503 "no healthy upstream").</summary>
    /// <param name="hashKey">The request's hash key, which only ring hash and Maglev clusters use.</param>
    public UpstreamEndpoint? Pick(ulong? hashKey = null)
    {
        if (_endpoints.Length <= 1)
            return _endpoints.Length == 0 ? null : _endpoints[0];
        if (hashKey is { } key && (_ring is not null || _maglev is not null))
            return _ring?.Find(key) ?? _maglev!.Find(key);
        return _policy switch
        {
            Cluster.Types.LbPolicy.RoundRobin => SmoothRoundRobin(),
            Cluster.Types.LbPolicy.LeastRequest => LeastOfTwo(),
            _ => WeightedRandom(),
        };
    }

    private UpstreamEndpoint WeightedRandom()
    {
        var ticket = Random.Shared.NextInt64(_total);
        var index = Array.BinarySearch(_cumulative, ticket + 1);
        return _endpoints[index >= 0 ? index : ~index];
    }

    private UpstreamEndpoint LeastOfTwo()
    {
        var first = WeightedRandom();
        var second = WeightedRandom();
        return second.Active < first.Active ? second : first;
    }

    /// <summary>Nginx's smooth weighted round robin: each pick raises every endpoint by its weight and lowers the chosen one by the total.</summary>
    private UpstreamEndpoint SmoothRoundRobin()
    {
        lock (_roundRobin)
        {
            var best = 0;
            for (var i = 0; i < _endpoints.Length; i++)
            {
                _current[i] += Math.Max(1u, _endpoints[i].Weight);
                if (_current[i] > _current[best])
                    best = i;
            }
            _current[best] -= _total;
            return _endpoints[best];
        }
    }
}
