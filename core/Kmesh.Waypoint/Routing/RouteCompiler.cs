using System.Text.RegularExpressions;
using Envoy.Config.Core.V3;
using Envoy.Config.Route.V3;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Compiles a route configuration's virtual hosts into <see cref="VirtualHostRoutes"/>. A route the
/// waypoint cannot honour is left out and reported; the rest of its virtual host serves.
/// </summary>
internal static class RouteCompiler
{
    /// <summary>Envoy's route timeout when none is set.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static List<(string Domain, VirtualHostRoutes Host)> Compile(RouteConfiguration config, ResourceRef resource, List<WaypointFinding> findings)
    {
        var domains = new List<(string, VirtualHostRoutes)>();
        for (var v = 0; v < config.VirtualHosts.Count; v++)
        {
            var vhost = config.VirtualHosts[v];
            var routes = new List<WaypointRoute>();
            IgnoredFields.OfVirtualHost(vhost, $"virtual_hosts[{v}]", field => findings.Add(Ignored(resource, field)));
            for (var r = 0; r < vhost.Routes.Count; r++)
            {
                try
                {
                    var routeField = $"virtual_hosts[{v}].routes[{r}]";
                    routes.Add(CompileRoute(vhost.Routes[r], vhost, config, $"virtual_hosts[{v}]", routeField));
                    IgnoredFields.OfRoute(vhost.Routes[r], routeField, field => findings.Add(Ignored(resource, field)));
                }
                catch (UnsupportedRouteException e)
                {
                    findings.Add(new WaypointFinding(resource, e.Field, $"{e.Message}; this route is left out"));
                }
            }
            var host = new VirtualHostRoutes(vhost.Name, $"{resource} / virtual host {vhost.Name}", routes, vhost);
            foreach (var domain in vhost.Domains)
                domains.Add((domain, host));
        }
        return domains;
    }

    private static WaypointFinding Ignored(ResourceRef resource, string field) =>
        new(resource, field, "not read by the waypoint: its requests are served as if it were not set");

    /// <param name="vhostField">Where the virtual host is in the route configuration; <paramref name="field"/> where the route is.</param>
    private static WaypointRoute CompileRoute(Route route, VirtualHost vhost, RouteConfiguration config, string vhostField, string field)
    {
        var condition = RouteCondition.From(route.Match ?? new RouteMatch { Prefix = "/" }, $"{field}.match");
        RouteOutcome outcome = route.ActionCase switch
        {
            Route.ActionOneofCase.Route_ => Forward(route.Route_, route.Match, vhost, vhostField, $"{field}.route"),
            Route.ActionOneofCase.DirectResponse => new DirectAnswer((int)route.DirectResponse.Status, BodyOf(route.DirectResponse)),
            Route.ActionOneofCase.Redirect => Redirect(route.Redirect, route.Match, $"{field}.redirect"),
            _ => throw new UnsupportedRouteException(field, $"action {route.ActionCase} is not supported"),
        };
        var requestHeaders = HeaderEdits.Of(route.Name,
            new(route.RequestHeadersToAdd, route.RequestHeadersToRemove, $"{field}.request_headers_to_add"),
            new(vhost.RequestHeadersToAdd, vhost.RequestHeadersToRemove, $"{vhostField}.request_headers_to_add"),
            new(config.RequestHeadersToAdd, config.RequestHeadersToRemove, "request_headers_to_add"));
        var responseHeaders = HeaderEdits.Of(route.Name,
            new(route.ResponseHeadersToAdd, route.ResponseHeadersToRemove, $"{field}.response_headers_to_add"),
            new(vhost.ResponseHeadersToAdd, vhost.ResponseHeadersToRemove, $"{vhostField}.response_headers_to_add"),
            new(config.ResponseHeadersToAdd, config.ResponseHeadersToRemove, "response_headers_to_add"));
        var name = route.Name.Length > 0 ? route.Name : field;
        return new WaypointRoute(name, condition, outcome, requestHeaders, responseHeaders, route);
    }

    private static ForwardAction Forward(RouteAction action, RouteMatch? match, VirtualHost vhost, string vhostField, string field)
    {
        List<(string, uint)> clusters;
        uint total;
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
                clusters = [(action.Cluster, 1)];
                total = 1;
                break;
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                clusters = [.. action.WeightedClusters.Clusters.Where(c => (c.Weight ?? 0) > 0).Select(c => (c.Name, c.Weight ?? 0))];
                total = (uint)clusters.Sum(c => (long)c.Item2);
                if (clusters.Count == 0)
                    throw new UnsupportedRouteException($"{field}.weighted_clusters", "no cluster has a weight above 0");
                break;
            default:
                throw new UnsupportedRouteException(field, $"cluster specifier {action.ClusterSpecifierCase} is not supported");
        }
        var timeout = action.Timeout is null ? DefaultTimeout : action.Timeout.ToTimeSpan() is var t && t > TimeSpan.Zero ? t : (TimeSpan?)null;
        // A route's retry policy replaces its virtual host's, as in Envoy.
        var retry = RetryPlan.From(action.RetryPolicy ?? vhost.RetryPolicy, action.RetryPolicy is null ? $"{vhostField}.retry_policy" : $"{field}.retry_policy");
        return new ForwardAction(
            clusters, total, timeout, retry,
            PathRewrite.From(action.PrefixRewrite, action.RegexRewrite, match, field),
            HostRewrite.From(action, field),
            RequestHash.Of(action.HashPolicy),
            action.RequestMirrorPolicies.Count > 0 ? MirrorPolicy.From(action.RequestMirrorPolicies, $"{field}.request_mirror_policies") : null,
            action.ClusterNotFoundResponseCode switch
            {
                RouteAction.Types.ClusterNotFoundResponseCode.NotFound => 404,
                RouteAction.Types.ClusterNotFoundResponseCode.InternalServerError => 500,
                _ => 503,
            },
            vhost.IncludeRequestAttemptCount,
            vhost.IncludeAttemptCountInResponse);
    }

    private static string? BodyOf(DirectResponseAction direct) => direct.Body?.SpecifierCase switch
    {
        DataSource.SpecifierOneofCase.InlineString => direct.Body.InlineString,
        DataSource.SpecifierOneofCase.InlineBytes => direct.Body.InlineBytes.ToStringUtf8(),
        _ => null,
    };

    private static RedirectAnswer Redirect(RedirectAction redirect, RouteMatch? match, string field)
    {
        var status = redirect.ResponseCode switch
        {
            RedirectAction.Types.RedirectResponseCode.Found => 302,
            RedirectAction.Types.RedirectResponseCode.SeeOther => 303,
            RedirectAction.Types.RedirectResponseCode.TemporaryRedirect => 307,
            RedirectAction.Types.RedirectResponseCode.PermanentRedirect => 308,
            _ => 301,
        };
        return new RedirectAnswer(
            status,
            redirect.SchemeRewriteSpecifierCase == RedirectAction.SchemeRewriteSpecifierOneofCase.SchemeRedirect ? redirect.SchemeRedirect
                : redirect.HttpsRedirect ? "https" : null,
            redirect.HostRedirect.Length > 0 ? redirect.HostRedirect : null,
            redirect.PortRedirect > 0 ? (int)redirect.PortRedirect : null,
            redirect.PathRewriteSpecifierCase == RedirectAction.PathRewriteSpecifierOneofCase.PathRedirect ? redirect.PathRedirect : null,
            redirect.PathRewriteSpecifierCase switch
            {
                RedirectAction.PathRewriteSpecifierOneofCase.PrefixRewrite => PathRewrite.From(redirect.PrefixRewrite, null, match, field),
                RedirectAction.PathRewriteSpecifierOneofCase.RegexRewrite => PathRewrite.From("", redirect.RegexRewrite, match, field),
                _ => null,
            },
            redirect.StripQuery);
    }
}
