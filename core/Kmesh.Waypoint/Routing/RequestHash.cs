using System.Net;
using Envoy.Config.Route.V3;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A route's <c>hash_policy</c>, the key a ring hash or Maglev cluster picks its endpoint by:
/// a header, a cookie, a query parameter or the connection's source IP. As in Envoy, the
/// policies are tried in order; each one that finds its input mixes its hash into the key, and a
/// <c>terminal</c> one that found its input ends the list. No input at all: no key (the cluster
/// then picks at random). Cookies are only read: the waypoint never generates one (a
/// <c>ttl</c> asks Envoy to), so a client without the cookie is balanced at random.
/// </summary>
internal sealed class RequestHash
{
    private readonly (Func<HttpContext, string?> Input, bool Terminal)[] _policies;

    private RequestHash((Func<HttpContext, string?>, bool)[] policies) => _policies = policies;

    /// <summary>The route's hash key, or null when it has no policy the waypoint applies.</summary>
    public static RequestHash? Of(IEnumerable<RouteAction.Types.HashPolicy> policies)
    {
        var compiled = new List<(Func<HttpContext, string?>, bool)>();
        foreach (var policy in policies)
        {
            if (InputOf(policy) is { } input)
                compiled.Add((input, policy.Terminal));
        }
        return compiled.Count == 0 ? null : new RequestHash([.. compiled]);
    }

    private static Func<HttpContext, string?>? InputOf(RouteAction.Types.HashPolicy policy) => policy.PolicySpecifierCase switch
    {
        RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.Header when policy.Header.HeaderName is { Length: > 0 } name =>
            context => context.Request.Headers.TryGetValue(name, out var values) && values.Count > 0 ? string.Join(',', values.ToArray()) : null,
        RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.Cookie when policy.Cookie.Name is { Length: > 0 } name =>
            context => context.Request.Cookies.TryGetValue(name, out var value) ? value : null,
        RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.QueryParameter when policy.QueryParameter.Name is { Length: > 0 } name =>
            context => context.Request.Query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null,
        RouteAction.Types.HashPolicy.PolicySpecifierOneofCase.ConnectionProperties when policy.ConnectionProperties.SourceIp =>
            context => context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null,
        _ => null,
    };

    /// <summary>The request's key, or null when no policy found its input.</summary>
    public ulong? Compute(HttpContext context)
    {
        ulong? key = null;
        foreach (var (input, terminal) in _policies)
        {
            if (input(context) is not { } value)
                continue;
            var hash = StableHash.Of(value);
            // Envoy's combination: rotate what is there by one bit, then mix the new hash in.
            key = key is { } k ? ((k << 1) | (k >> 63)) ^ hash : hash;
            if (terminal)
                break;
        }
        return key;
    }
}
