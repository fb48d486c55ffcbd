using System.Collections.Concurrent;
using Google.Protobuf;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// The waypoint's request buckets for as long as it runs, one per configured level (a listener's
/// filter, a route configuration, a virtual host, a route) and config, and one per descriptor of it. A new configuration that
/// keeps a level's config unchanged keeps its bucket, tokens and all; a changed config starts a
/// full bucket, as Envoy does when it builds the filter anew.
/// </summary>
internal sealed class BucketStore(TimeProvider time)
{
    private readonly ConcurrentDictionary<BucketKey, RequestTokenBucket> _buckets = new();

    public int Count => _buckets.Count;

    public RequestTokenBucket Get(BucketKey key, BucketShape shape) =>
        _buckets.GetOrAdd(key, static (_, arg) => new RequestTokenBucket(arg.Shape.MaxTokens, arg.Shape.TokensPerFill, arg.Shape.FillInterval, arg.Time), (Shape: shape, Time: time));

    /// <summary>Forgets the buckets of levels the configuration in force no longer has.</summary>
    public void KeepOnly(IReadOnlySet<BucketKey> inUse)
    {
        foreach (var key in _buckets.Keys)
        {
            if (!inUse.Contains(key))
                _buckets.TryRemove(key, out _);
        }
    }
}

/// <summary>A bucket's identity: where it is configured and the config's bytes.</summary>
internal readonly record struct BucketKey(string Level, ByteString Config);
