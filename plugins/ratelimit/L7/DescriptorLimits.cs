using Envoy.Config.Route.V3;
using Envoy.Extensions.Common.Ratelimit.V3;
using Google.Protobuf;
using Microsoft.AspNetCore.Http;
using HttpLocalRateLimit = Envoy.Extensions.Filters.Http.LocalRatelimit.V3.LocalRateLimit;
using RouteRateLimit = Envoy.Config.Route.V3.RateLimit;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// A local rate limit config's <c>descriptors</c> as one route's requests meet them, Envoy's way:
/// the route's (and, by <c>vh_rate_limits</c>, its virtual host's) <c>rate_limits</c> of the
/// config's <c>stage</c> describe the request; every configured descriptor equal to one of those
/// takes a token from its own bucket, the strictest (fewest tokens per second) first, and the
/// first that has none refuses the request. The default bucket is taken from as well when no
/// descriptor matched, or always when <c>always_consume_default_token_bucket</c> (Envoy's default).
/// </summary>
internal sealed class DescriptorLimits
{
    private readonly DescriptorActions[] _sources;
    private readonly Dictionary<string, int> _byKey;
    private readonly RequestTokenBucket[] _strictestFirst;

    private DescriptorLimits(DescriptorActions[] sources, Dictionary<string, int> byKey, RequestTokenBucket[] strictestFirst, bool alwaysConsumeDefault)
    {
        _sources = sources;
        _byKey = byKey;
        _strictestFirst = strictestFirst;
        AlwaysConsumeDefault = alwaysConsumeDefault;
    }

    /// <summary>Whether the default bucket is taken from even when a descriptor matched.</summary>
    public bool AlwaysConsumeDefault { get; }

    /// <summary>The config's descriptors for this route's requests, or null when it has none the waypoint honours.</summary>
    public static DescriptorLimits? Of(HttpLocalRateLimit config, string level, BucketStore store, VirtualHost host, Route route)
    {
        var configured = Honoured(config, level).OrderBy(d => d.Shape.TokensPerFill / Math.Max(1, (long)d.Shape.FillInterval.TotalSeconds)).ToArray();
        if (configured.Length == 0)
            return null;
        var cluster = route.Route_?.ClusterSpecifierCase == RouteAction.ClusterSpecifierOneofCase.Cluster ? route.Route_.Cluster : null;
        var sources = Applicable(config, host, route).Select(r => DescriptorActions.Of(r, cluster)).ToArray();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < configured.Length; i++)
            byKey[configured[i].Key] = i;
        var buckets = configured.Select(d => store.Get(d.Bucket, d.Shape)).ToArray();
        return new DescriptorLimits(sources, byKey, buckets, config.AlwaysConsumeDefaultTokenBucket ?? true);
    }

    /// <summary>
    /// The descriptors the waypoint honours, each with its bucket's identity: a token bucket that
    /// is valid, at least one entry, no empty value (Envoy's per-value buckets), the first of equal ones.
    /// </summary>
    public static IEnumerable<(string Key, BucketShape Shape, BucketKey Bucket)> Honoured(HttpLocalRateLimit config, string level)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ByteString? bytes = null;
        foreach (var descriptor in config.Descriptors)
        {
            if (Problem(descriptor) is not null || LimitSettings.Shape(descriptor.TokenBucket) is not { } shape)
                continue;
            var key = DescriptorKey.Of(descriptor);
            if (!seen.Add(key))
                continue;
            bytes ??= config.ToByteString();
            yield return (key, shape, new BucketKey($"{level} descriptor {key}", bytes));
        }
    }

    /// <summary>What keeps a descriptor from being honoured, other than its token bucket, or null.</summary>
    public static string? Problem(LocalRateLimitDescriptor descriptor) =>
        descriptor.Entries.Count == 0 ? "a descriptor needs at least one entry"
        : descriptor.Entries.Any(e => e.Value.Length == 0) ? "an entry without a value (a bucket per distinct value) is not honoured by the waypoint"
        : null;

    /// <summary>
    /// The <c>rate_limits</c> that describe a request on <paramref name="route"/>: the route's of
    /// the config's stage, without a <c>disable_key</c>, and its virtual host's as
    /// <c>vh_rate_limits</c> says (<c>include_vh_rate_limits</c> on the route means include).
    /// </summary>
    public static IEnumerable<RouteRateLimit> Applicable(HttpLocalRateLimit config, VirtualHost host, Route route)
    {
        var own = route.Route_?.RateLimits ?? [];
#pragma warning disable CS0612 // deprecated, but Envoy still reads it before vh_rate_limits
        var option = route.Route_?.IncludeVhRateLimits == true ? VhRateLimitsOptions.Include : config.VhRateLimits;
#pragma warning restore CS0612
        var fromHost = option switch
        {
            VhRateLimitsOptions.Include => host.RateLimits,
            VhRateLimitsOptions.Override when own.Count == 0 => host.RateLimits,
            _ => [],
        };
        return own.Concat(fromHost).Where(r => (r.Stage ?? 0) == config.Stage && r.DisableKey.Length == 0);
    }

    /// <summary>Takes from every matched descriptor's bucket, strictest first, until one has no token.</summary>
    /// <returns>Whether a descriptor matched, whether every matched one gave a token, and the bucket the
    /// <c>x-ratelimit-*</c> headers describe (the first match in the request's order).</returns>
    public (bool Matched, bool Allowed, RequestTokenBucket? Described) TryTake(HttpContext context)
    {
        Span<bool> matched = _strictestFirst.Length <= 64 ? stackalloc bool[_strictestFirst.Length] : new bool[_strictestFirst.Length];
        RequestTokenBucket? described = null;
        var any = false;
        foreach (var source in _sources)
        {
            if (source.Describe(context) is { } key && _byKey.TryGetValue(key, out var index))
            {
                matched[index] = true;
                described ??= _strictestFirst[index];
                any = true;
            }
        }
        if (!any)
            return (false, true, null);
        for (var i = 0; i < matched.Length; i++)
        {
            if (matched[i] && !_strictestFirst[i].TryTake().Taken)
                return (true, false, described);
        }
        return (true, true, described);
    }
}
