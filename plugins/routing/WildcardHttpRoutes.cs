using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Routing;

/// <summary>A wildcard listener (0.0.0.0 / ::) with HTTP connection managers, its ports and the chains examined.</summary>
internal sealed record WildcardHttpListener(Listener Listener, ResourceRef Resource, int[] Ports, IReadOnlyList<(HttpConnectionManager Hcm, string Field)> Chains);

/// <summary>
/// HTTP listeners the Istio way: <c>0.0.0.0_PORT</c> with an HTTP connection manager whose
/// route configuration has one virtual host per service, and whose <c>domains</c> name the
/// service's VIP (<c>10.96.0.15</c>, <c>10.96.0.15:9080</c>, <c>[fd00::10]:9080</c>) beside its
/// host names. Each such VIP:PORT is routed to the target of the virtual host's catch-all
/// route. What only the request could decide is reported as <i>needs L7</i> (a warning:
/// valid configuration must never make an ADS response a NACK): a route before the catch-all
/// that sends some requests elsewhere (the VIP still goes to the catch-all, the warning says
/// which requests Envoy would send elsewhere), a virtual host without a catch-all (its VIPs
/// are left out). Host names are not VIPs and are skipped silently; retries, timeouts and
/// per-route filter configs are not connect-time decisions and are ignored here.
/// </summary>
internal static class WildcardHttpRoutes
{
    private const string NeedsL7 = "needs L7";
    private static readonly RouteMatch EmptyMatch = new();

    /// <summary>
    /// The HTTP connection managers of a wildcard listener that a connect to a VIP named in their
    /// domains would reach: chains that match everything, or only the sniffed protocol
    /// (<c>transport_protocol</c>, <c>application_protocols</c>: Istio's HTTP chain), and the
    /// default chain. A chain matched on anything else is not examined (reported as Info).
    /// </summary>
    public static List<(HttpConnectionManager Hcm, string Field)> HttpChains(Listener listener, ResourceRef resource, TranslationOutput output)
    {
        var skipped = new List<string>();
        var result = HttpVirtualHosts.ReachableManagers(listener, skipped);
        if (result.Count > 0 && skipped.Count > 0)
            output.Info(resource, string.Join(", ", skipped),
                "these HTTP filter chains are chosen by server name, address or port ranges of the connection, which connect() does not know; their routes are not examined");
        return result;
    }

    /// <summary>
    /// The VIP:port routes of the wildcard listeners, in a stable order (with <paramref name="steer"/>,
    /// the virtual hosts <see cref="WaypointSteering"/> wants go to the waypoint instead), with their virtual host's service id
    /// and, for what was applied, the listener's resource name and the domain that named the VIP.
    /// </summary>
    public static List<(KmAddr Vip, uint ServiceId, ServiceTarget Target, ResourceRef Resource, string DomainField)> Translate(
        IReadOnlyList<WildcardHttpListener> listeners, MeshSnapshot snapshot, IReadOnlyDictionary<KmAddr, string> owners, TranslationOutput output, bool steer = false)
    {
        var claims = new Dictionary<KmAddr, List<Claim>>();
        var order = new List<KmAddr>();
        foreach (var wildcard in listeners)
        {
            var anyVip = false;
            var allRoutes = true;
            foreach (var (hcm, field) in wildcard.Chains)
            {
                var typedConfig = field + ".typed_config";
                var routes = ListenerTargetResolver.RouteConfigurationOf(hcm, snapshot, wildcard.Resource, typedConfig, output);
                if (routes is null)
                {
                    allRoutes = false;
                    continue;
                }
                var where = hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.Rds
                    ? $"route configuration '{routes.Name}'"
                    : "the inline route_config";
                for (var v = 0; v < routes.VirtualHosts.Count; v++)
                {
                    var host = routes.VirtualHosts[v];
                    var hostField = $"{typedConfig}.virtual_hosts[{v}]";
                    var vips = Vips(host, hostField, wildcard.Ports);
                    if (vips.Count == 0)
                        continue; // host names only: nothing the kernel could see
                    anyVip = true;
                    foreach (var (vip, domainField) in vips.Where(v => owners.ContainsKey(v.Vip)))
                        output.Info(wildcard.Resource, domainField,
                            $"{vip} is the address of listener {owners[vip]}, which wins over virtual host '{host.Name}' of {where}; the domain is not routed from here");
                    vips.RemoveAll(v => owners.ContainsKey(v.Vip));
                    if (vips.Count == 0)
                        continue;
                    var context = new HostContext(wildcard.Resource, hostField, $"virtual host '{host.Name}' of {where}", vips);
                    var target = steer && WaypointSteering.Wants(host, wildcard.Listener) ? ServiceTarget.Waypoint : CatchAllTarget(host, context, output);
                    foreach (var (vip, domainField) in vips)
                    {
                        if (!claims.TryGetValue(vip, out var list))
                        {
                            claims.Add(vip, list = []);
                            order.Add(vip);
                        }
                        list.Add(new Claim(HttpVirtualHosts.ServiceName(wildcard.Listener.Name, host.Name), context, domainField, target));
                    }
                }
            }
            if (!anyVip && allRoutes)
                output.Info(wildcard.Resource, "address",
                    "a wildcard address catches every destination, and no virtual host of its HTTP routes names a VIP (an IP literal among its domains): nothing to route at connect time");
        }

        var result = new List<(KmAddr, uint, ServiceTarget, ResourceRef, string)>();
        foreach (var vip in order)
        {
            var list = claims[vip];
            var first = list[0];
            if (list.All(c => c.Target is not null && c.Target.SameAs(first.Target!)))
            {
                result.Add((vip, snapshot.Ids.ServiceId(first.Service), first.Target!, first.Host.Resource, first.DomainField));
                continue;
            }
            // Claims without a target were reported where they were decided; those that disagree with one that has one are reported here.
            if (list.Any(c => c.Target is not null))
            {
                var hosts = string.Join(", ", list.Select(c => $"{c.Host.Name} ({(c.Target is null ? "not routed" : Describe(c.Target))})"));
                foreach (var claim in list)
                    output.Warn(claim.Host.Resource, claim.DomainField,
                        $"{NeedsL7}: {vip} is a domain of several virtual hosts that disagree: {hosts}; which one Envoy uses depends on the request's Host header, so {vip} is left out");
            }
        }
        return result;
    }

    private sealed record HostContext(ResourceRef Resource, string Field, string Name, List<(KmAddr Vip, string DomainField)> Vips)
    {
        public string VipList => string.Join(", ", Vips.Select(v => v.Vip.ToString()).Distinct());
    }

    /// <param name="Service">The virtual host's service name (<see cref="HttpVirtualHosts.ServiceName"/>): each virtual host is a service of its own.</param>
    private sealed record Claim(string Service, HostContext Host, string DomainField, ServiceTarget? Target);

    /// <summary>The target of the virtual host's first catch-all route; the routes before it that send requests elsewhere are needs-L7 warnings.</summary>
    private static ServiceTarget? CatchAllTarget(VirtualHost host, HostContext context, TranslationOutput output)
    {
        var catchAll = -1;
        for (var r = 0; r < host.Routes.Count; r++)
        {
            if (IsCatchAll(host.Routes[r].Match))
            {
                catchAll = r;
                break;
            }
        }
        if (catchAll < 0)
        {
            output.Warn(context.Resource, context.Field + ".routes",
                $"{NeedsL7}: {context.Name} has no catch-all route (match prefix \"/\" with no header, query or runtime condition), so where a request goes depends on the request itself; {context.VipList} left out of the kernel's routes (for an L7 waypoint)");
            return null;
        }
        var routeField = $"{context.Field}.routes[{catchAll}]";
        var target = RouteTarget(host.Routes[catchAll], routeField, context, output);
        if (target is null)
            return null;
        for (var r = 0; r < host.Routes.Count; r++)
            MirrorRoutes.ReportNotCopied(host.Routes[r], context.Resource, $"{context.Field}.routes[{r}]", output);
        for (var r = 0; r < catchAll; r++)
        {
            var route = host.Routes[r];
            if (route.ActionCase == Route.ActionOneofCase.Route_ && QuietTarget(route.Route_) is { } other && other.SameAs(target))
                continue; // the same destination: the connect-time choice is exactly Envoy's
            output.Warn(context.Resource, $"{context.Field}.routes[{r}]",
                $"{NeedsL7}: in Envoy, requests to {context.Name} that match route {r} ({DescribeMatch(route.Match)}) go to {DescribeAction(route)}; "
                + $"the kernel cannot see requests, so every connect to {context.VipList} goes to the catch-all route {catchAll} ({Describe(target)}); those requests need an L7 waypoint");
        }
        return target;
    }

    /// <summary><c>prefix: "/"</c> (or "") with no other condition: matches every request.</summary>
    internal static bool IsCatchAll(RouteMatch? match)
    {
        if (match is null || match.PathSpecifierCase != RouteMatch.PathSpecifierOneofCase.Prefix || match.Prefix is not ("/" or ""))
            return false;
        var rest = match.Clone();
        rest.ClearPrefix();
        rest.CaseSensitive = null;
        return rest.Equals(EmptyMatch);
    }

    private static ServiceTarget? RouteTarget(Route route, string field, HostContext context, TranslationOutput output)
    {
        if (route.ActionCase != Route.ActionOneofCase.Route_)
        {
            output.Warn(context.Resource, field,
                $"{NeedsL7}: the catch-all route of {context.Name} answers with {DescribeAction(route)}, which the connect hook cannot do; {context.VipList} left out");
            return null;
        }
        var action = route.Route_;
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster when action.Cluster.Length > 0:
                return ServiceTarget.Single(action.Cluster);
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                var weighted = action.WeightedClusters;
                var byHeader = weighted.Clusters.FirstOrDefault(c => c.Name.Length == 0);
                if (byHeader is not null && byHeader.ClusterHeader.Length == 0)
                {
                    output.Error(context.Resource, field + ".route.weighted_clusters", $"a weighted cluster of {context.Name} has neither name nor cluster_header");
                    return null;
                }
                if (byHeader is not null)
                {
                    output.Warn(context.Resource, field + ".route.weighted_clusters",
                        $"{NeedsL7}: a weighted cluster named by request header '{byHeader.ClusterHeader}' in {context.Name}; {context.VipList} left out");
                    return null;
                }
                var ways = weighted.Clusters.Select(c => (c.Name, c.Weight ?? 0u)).ToArray();
                var split = ListenerTargetResolver.Weighted(ways, context.Resource, field + ".route.weighted_clusters", output,
                    $"{context.VipList} left out", limitIsWarning: true);
                if (split is not null && weighted.HeaderName.Length > 0)
                    output.Warn(context.Resource, field + ".route.weighted_clusters.header_name",
                        $"{NeedsL7}: Envoy picks the cluster from request header '{weighted.HeaderName}'; connects are split by the weights at random instead");
                return split;
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
            case RouteAction.ClusterSpecifierOneofCase.None:
                output.Error(context.Resource, field + ".route", $"the catch-all route of {context.Name} names no cluster");
                return null;
            default:
                output.Warn(context.Resource, field + ".route",
                    $"{NeedsL7}: the catch-all route of {context.Name} chooses its cluster by {action.ClusterSpecifierCase}, from the request; {context.VipList} left out");
                return null;
        }
    }

    /// <summary>A route's target without reporting anything (for comparing with the catch-all).</summary>
    private static ServiceTarget? QuietTarget(RouteAction action) => action.ClusterSpecifierCase switch
    {
        RouteAction.ClusterSpecifierOneofCase.Cluster => ServiceTarget.Single(action.Cluster),
        RouteAction.ClusterSpecifierOneofCase.WeightedClusters => new ServiceTarget(action.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight ?? 0u)).ToArray()),
        _ => null,
    };

    private static string Describe(ServiceTarget target) => target.Describe();

    private static string DescribeAction(Route route)
    {
        switch (route.ActionCase)
        {
            case Route.ActionOneofCase.Route_:
                var action = route.Route_;
                return action.ClusterSpecifierCase switch
                {
                    RouteAction.ClusterSpecifierOneofCase.Cluster => $"cluster '{action.Cluster}'",
                    RouteAction.ClusterSpecifierOneofCase.WeightedClusters =>
                        "weighted clusters " + string.Join(", ", action.WeightedClusters.Clusters.Select(c => $"{c.Name}={c.Weight ?? 0u}")),
                    RouteAction.ClusterSpecifierOneofCase.ClusterHeader => $"the cluster named by header '{action.ClusterHeader}'",
                    var other => $"a cluster chosen by {other}",
                };
            case Route.ActionOneofCase.DirectResponse:
                return $"a direct response (status {route.DirectResponse.Status})";
            case Route.ActionOneofCase.Redirect:
                return "a redirect";
            default:
                return $"a {route.ActionCase} action";
        }
    }

    private static string DescribeMatch(RouteMatch? match)
    {
        if (match is null)
            return "no match";
        var parts = new List<string>
        {
            match.PathSpecifierCase switch
            {
                RouteMatch.PathSpecifierOneofCase.Prefix => $"prefix '{match.Prefix}'",
                RouteMatch.PathSpecifierOneofCase.Path => $"path '{match.Path}'",
                RouteMatch.PathSpecifierOneofCase.SafeRegex => $"path regex '{match.SafeRegex.Regex}'",
                RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => $"path-separated prefix '{match.PathSeparatedPrefix}'",
                RouteMatch.PathSpecifierOneofCase.ConnectMatcher => "CONNECT requests",
                RouteMatch.PathSpecifierOneofCase.PathMatchPolicy => $"path match policy '{match.PathMatchPolicy.Name}'",
                _ => "no path",
            },
        };
        if (match.Headers.Count > 0)
            parts.Add("headers " + string.Join(", ", match.Headers.Select(h => h.Name)));
        if (match.QueryParameters.Count > 0)
            parts.Add("query parameters " + string.Join(", ", match.QueryParameters.Select(q => q.Name)));
        if (match.RuntimeFraction is not null)
            parts.Add("a runtime fraction");
        if (match.Grpc is not null)
            parts.Add("gRPC requests only");
        if (match.TlsContext is not null)
            parts.Add("the TLS context");
        if (match.DynamicMetadata.Count > 0)
            parts.Add("dynamic metadata");
        return string.Join("; ", parts);
    }

    /// <summary>The VIP:ports a virtual host's domains name: IP literals, alone (the listener's ports) or with the listener's port.</summary>
    private static List<(KmAddr Vip, string DomainField)> Vips(VirtualHost host, string hostField, int[] ports)
    {
        var result = new List<(KmAddr, string)>();
        for (var d = 0; d < host.Domains.Count; d++)
        {
            if (!HttpVirtualHosts.TryParseIpDomain(host.Domains[d], out var ip, out var port))
                continue;
            var field = $"{hostField}.domains[{d}]";
            foreach (var listenerPort in ports)
            {
                if (port is not null && port != listenerPort)
                    continue; // names another port: Envoy matches it only for a Host header that says so
                var vip = KmAddr.From(ip, listenerPort);
                if (!result.Any(r => r.Item1.Equals(vip)))
                    result.Add((vip, field));
            }
        }
        return result;
    }
}
