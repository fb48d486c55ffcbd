using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Upstream;

/// <summary>
/// Consistent hashing for ring hash clusters: each endpoint owns points on a 64-bit ring in
/// proportion to its weight, and a key goes to the owner of the first point at or after it. The
/// same key reaches the same endpoint while the endpoints stay; when one goes, only its keys move.
/// (Maglev clusters use <see cref="MaglevTable"/>.)
/// </summary>
internal sealed class HashRing
{
    /// <summary>
    /// Points per unit of weight: enough that shares follow the weights, and fixed, so that an
    /// endpoint's points do not move when another endpoint comes or goes.
    /// </summary>
    private const int PointsPerWeight = 256;

    private readonly ulong[] _points;
    private readonly UpstreamEndpoint[] _owners;

    public HashRing(IReadOnlyList<UpstreamEndpoint> endpoints)
    {
        var ring = new List<(ulong Point, UpstreamEndpoint Owner)>();
        foreach (var endpoint in endpoints)
        {
            // Points named after the endpoint's address, as Envoy's are: every waypoint builds the same ring.
            var count = PointsPerWeight * (int)Math.Min(Math.Max(1u, endpoint.Weight), 128u);
            for (var i = 0; i < count; i++)
                ring.Add((StableHash.Of($"{endpoint.Host}:{endpoint.Port}_{i}"), endpoint));
        }
        ring.Sort((a, b) => a.Point.CompareTo(b.Point));
        _points = [.. ring.Select(p => p.Point)];
        _owners = [.. ring.Select(p => p.Owner)];
    }

    public UpstreamEndpoint? Find(ulong key)
    {
        if (_points.Length == 0)
            return null;
        var index = Array.BinarySearch(_points, key);
        if (index < 0)
            index = ~index;
        return _owners[index == _points.Length ? 0 : index];
    }
}
