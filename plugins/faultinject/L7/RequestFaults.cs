using System.Runtime.CompilerServices;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Waypoint;

namespace Kmesh.Plugins.FaultInject.L7;

/// <summary>
/// The fault each request meets: the one of its route, found once per route of the configuration
/// in force (the waypoint hands the same route instance to every request under it) and kept
/// beside the route for as long as it lives.
/// </summary>
internal sealed class RequestFaults : IWaypointFilter
{
    private static readonly RequestFault NoFault = new(new HTTPFault());
    private readonly ConditionalWeakTable<Route, RequestFault> _byRoute = new();

    public async ValueTask<bool> OnRequestAsync(WaypointRequest request)
    {
        var fault = _byRoute.GetValue(request.Route, _ => Effective(request) is { } f ? new RequestFault(f) : NoFault);
        if (ReferenceEquals(fault, NoFault) || !fault.AppliesTo(request.Context.Request))
            return true;
        if (fault.DrawDelay() is { } delay)
            await DelayAtLeastAsync(delay, request.Context.RequestAborted);
        if (!fault.DrawAbort())
            return true;
        await fault.AbortAsync(request.Context);
        return false;
    }

    /// <summary>
    /// Holds the request for the whole delay: the timer behind Task.Delay may fire a tick early,
    /// and a fault test that measures "at least 0.3 s" is entitled to it.
    /// </summary>
    private static async Task DelayAtLeastAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - System.Diagnostics.Stopwatch.GetElapsedTime(started))
            await Task.Delay(left < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : left, cancellationToken);
    }

    /// <summary>The fault filter's config, replaced by the most specific <c>typed_per_filter_config</c> (route, virtual host, route configuration).</summary>
    private static HTTPFault? Effective(WaypointRequest request)
    {
        if (FaultFilter(request.Manager) is not { } filter)
            return null;
        foreach (var perFilter in new[] { request.Route.TypedPerFilterConfig, request.VirtualHost.TypedPerFilterConfig, request.RouteConfiguration.TypedPerFilterConfig })
        {
            if (PerFilterConfigs.Override<HTTPFault>(perFilter, filter.Name) is { } found)
                return found.Config;
        }
        return filter.Disabled || filter.TypedConfig is null ? null : filter.TypedConfig.Unpack<HTTPFault>();
    }

    private static HttpFilter? FaultFilter(HttpConnectionManager manager) =>
        manager.HttpFilters.FirstOrDefault(f => f.TypedConfig?.Is(HTTPFault.Descriptor) == true);
}
