using Envoy.Config.Route.V3;
using Envoy.Type.V3;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// One <c>request_mirror_policies</c> entry (Istio's VirtualService <c>mirror</c>): a copy of the
/// request goes to <paramref name="Cluster"/> as well, for the share its <c>runtime_fraction</c>
/// gives (all when unset); its answer is ignored, and it never delays or fails the request itself.
/// </summary>
/// <param name="AppendShadowSuffix">Whether the copy's authority gets Envoy's <c>-shadow</c> suffix (unless <c>disable_shadow_host_suffix_append</c>).</param>
internal sealed record MirrorPolicy(string Cluster, ulong Numerator, ulong Denominator, bool AppendShadowSuffix)
{
    public static MirrorPolicy[] From(IReadOnlyList<RouteAction.Types.RequestMirrorPolicy> policies, string field)
    {
        var mirrors = new MirrorPolicy[policies.Count];
        for (var i = 0; i < policies.Count; i++)
        {
            var policy = policies[i];
            if (policy.Cluster.Length == 0)
                throw new UnsupportedRouteException($"{field}[{i}]", policy.ClusterHeader.Length > 0
                    ? "a mirror cluster named by a request header (cluster_header) is not supported"
                    : "a mirror policy names no cluster");
            var (numerator, denominator) = policy.RuntimeFraction?.DefaultValue is { } share
                ? (share.Numerator, share.Denominator switch
                {
                    FractionalPercent.Types.DenominatorType.TenThousand => 10_000UL,
                    FractionalPercent.Types.DenominatorType.Million => 1_000_000UL,
                    _ => 100UL,
                })
                : (1UL, 1UL);
            mirrors[i] = new MirrorPolicy(policy.Cluster, numerator, denominator, !policy.DisableShadowHostSuffixAppend);
        }
        return mirrors;
    }

    /// <summary>Whether this request is copied (a draw of its own, as Envoy draws per policy).</summary>
    public bool Draw() => Numerator >= Denominator || (ulong)Random.Shared.NextInt64(long.MaxValue) % Denominator < Numerator;

    /// <summary>Envoy's shadow authority: <c>-shadow</c> after the host name, before a port.</summary>
    public string ShadowAuthority(string authority)
    {
        if (!AppendShadowSuffix)
            return authority;
        var colon = authority.LastIndexOf(':');
        var hasPort = colon > 0 && authority.IndexOf(']', colon) < 0 && (authority[0] == '[' || authority.IndexOf(':') == colon);
        return hasPort ? $"{authority[..colon]}-shadow{authority[colon..]}" : $"{authority}-shadow";
    }
}
