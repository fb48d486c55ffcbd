using Envoy.Admin.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>
/// The resources inside a config dump, whichever way it is laid out: the whole dump (one
/// <c>ListenersConfigDump</c>, <c>ClustersConfigDump</c>... each) or, as Envoy answers
/// <c>?resource=</c>, the selected entries themselves (<c>DynamicCluster</c>...).
/// </summary>
internal sealed class DumpedResources
{
    public List<Listener> Listeners { get; } = [];
    public List<Cluster> Clusters { get; } = [];
    public List<ClusterLoadAssignment> Endpoints { get; } = [];
    public List<RouteConfiguration> Routes { get; } = [];

    public static DumpedResources From(global::Envoy.Admin.V3.ConfigDump dump)
    {
        var resources = new DumpedResources();
        foreach (var config in dump.Configs)
            resources.Add(config);
        return resources;
    }

    private void Add(Any config)
    {
        if (Try<ListenersConfigDump>(config) is { } listeners)
        {
            foreach (var entry in listeners.StaticListeners) AddListener(entry.Listener);
            foreach (var entry in listeners.DynamicListeners) AddListener(ActiveOrWarming(entry));
        }
        else if (Try<ClustersConfigDump>(config) is { } clusters)
        {
            foreach (var entry in clusters.StaticClusters) AddCluster(entry.Cluster);
            foreach (var entry in clusters.DynamicActiveClusters) AddCluster(entry.Cluster);
            foreach (var entry in clusters.DynamicWarmingClusters) AddCluster(entry.Cluster);
        }
        else if (Try<EndpointsConfigDump>(config) is { } endpoints)
        {
            foreach (var entry in endpoints.StaticEndpointConfigs) AddEndpoints(entry.EndpointConfig);
            foreach (var entry in endpoints.DynamicEndpointConfigs) AddEndpoints(entry.EndpointConfig);
        }
        else if (Try<RoutesConfigDump>(config) is { } routes)
        {
            foreach (var entry in routes.StaticRouteConfigs) AddRoute(entry.RouteConfig);
            foreach (var entry in routes.DynamicRouteConfigs) AddRoute(entry.RouteConfig);
        }
        // Envoy's ?resource= answer: the entries themselves.
        else if (Try<ListenersConfigDump.Types.StaticListener>(config) is { } staticListener) AddListener(staticListener.Listener);
        else if (Try<ListenersConfigDump.Types.DynamicListener>(config) is { } dynamicListener) AddListener(ActiveOrWarming(dynamicListener));
        else if (Try<ClustersConfigDump.Types.StaticCluster>(config) is { } staticCluster) AddCluster(staticCluster.Cluster);
        else if (Try<ClustersConfigDump.Types.DynamicCluster>(config) is { } dynamicCluster) AddCluster(dynamicCluster.Cluster);
        else if (Try<EndpointsConfigDump.Types.StaticEndpointConfig>(config) is { } staticEndpoints) AddEndpoints(staticEndpoints.EndpointConfig);
        else if (Try<EndpointsConfigDump.Types.DynamicEndpointConfig>(config) is { } dynamicEndpoints) AddEndpoints(dynamicEndpoints.EndpointConfig);
        else if (Try<RoutesConfigDump.Types.StaticRouteConfig>(config) is { } staticRoute) AddRoute(staticRoute.RouteConfig);
        else if (Try<RoutesConfigDump.Types.DynamicRouteConfig>(config) is { } dynamicRoute) AddRoute(dynamicRoute.RouteConfig);
        // Anything else (bootstrap, secrets, kmesh's own Struct) is not a table of ours.
    }

    private static Any? ActiveOrWarming(ListenersConfigDump.Types.DynamicListener entry) =>
        entry.ActiveState?.Listener ?? entry.WarmingState?.Listener;

    private void AddListener(Any? resource) { if (Try<Listener>(resource) is { } r) Listeners.Add(r); }
    private void AddCluster(Any? resource) { if (Try<Cluster>(resource) is { } r) Clusters.Add(r); }
    private void AddEndpoints(Any? resource) { if (Try<ClusterLoadAssignment>(resource) is { } r) Endpoints.Add(r); }
    private void AddRoute(Any? resource) { if (Try<RouteConfiguration>(resource) is { } r) Routes.Add(r); }

    private static T? Try<T>(Any? any) where T : class, IMessage, new() =>
        any is not null && any.TryUnpack<T>(out var message) ? message : null;
}
