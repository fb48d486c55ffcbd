using System.Runtime.CompilerServices;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Sdk.Waypoint;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// The limit each request meets under one configuration: found once per route (the waypoint hands
/// the same route instance to every request under it) and kept beside the route, with the bucket
/// of the level that configures it taken from the store that outlives configurations.
/// </summary>
internal sealed class RequestLimits(BucketStore store) : IWaypointFilter
{
    private readonly ConditionalWeakTable<Route, Resolved> _byRoute = new();

    public ValueTask<bool> OnRequestAsync(WaypointRequest request)
    {
        var resolved = _byRoute.GetValue(request.Route, _ => Resolve(request));
        // A route configuration shared by listeners (RDS) may meet each listener's own filter bucket.
        if (!ReferenceEquals(resolved.Listener, request.Listener))
            resolved = Resolve(request);
        return resolved.Limit.ApplyAsync(request.Context);
    }

    private Resolved Resolve(WaypointRequest request)
    {
        // A per-connection bucket is not kept (reported when configured): such a level limits nothing.
        if (LimitLevels.Effective(request) is not ({ LocalRateLimitPerDownstreamConnection: false } config, var level))
            return new Resolved(request.Listener, RequestLimit.None);
        var settings = LimitSettings.From(config);
        if (settings.Bucket is null)
            return new Resolved(request.Listener, RequestLimit.None);
        var bucket = store.Get(new BucketKey(level, config.ToByteString()), settings.Bucket);
        var descriptors = DescriptorLimits.Of(config, level, store, request.VirtualHost, request.Route);
        return new Resolved(request.Listener, new RequestLimit(settings, bucket, descriptors));
    }

    private sealed record Resolved(Listener Listener, RequestLimit Limit);
}
