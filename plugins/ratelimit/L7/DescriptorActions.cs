using System.Net;
using System.Text;
using Envoy.Config.Route.V3;
using Kmesh.Sdk.Waypoint;
using Microsoft.AspNetCore.Http;
using RateLimitAction = Envoy.Config.Route.V3.RateLimit.Types.Action;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// One <c>rate_limits</c> entry of a route or virtual host: its actions, each adding one
/// <c>key=value</c> entry to the request's descriptor, as Envoy's router builds it. An action
/// that finds nothing (a missing header, a match that fails) drops the whole descriptor, except a
/// <c>request_headers</c> action with <c>skip_if_absent</c>, which only drops its own entry.
/// </summary>
internal sealed class DescriptorActions
{
    private readonly Func<HttpContext, (Outcome, string?)>[] _actions;

    private DescriptorActions(Func<HttpContext, (Outcome, string?)>[] actions) => _actions = actions;

    private enum Outcome { Entry, Skip, NoDescriptor }

    /// <param name="cluster">The route's cluster, for <c>destination_cluster</c>; null when it picks among weighted clusters.</param>
    public static DescriptorActions Of(global::Envoy.Config.Route.V3.RateLimit rateLimit, string? cluster) =>
        new([.. rateLimit.Actions.Select(a => Compile(a, cluster))]);

    /// <summary>Why the waypoint cannot evaluate this action (it then never yields a descriptor), or null when it can.</summary>
    public static string? Unsupported(RateLimitAction action, string? cluster) => action.ActionSpecifierCase switch
    {
        RateLimitAction.ActionSpecifierOneofCase.DestinationCluster when cluster is null => "destination_cluster on a route without a single cluster is not evaluated by the waypoint",
        RateLimitAction.ActionSpecifierOneofCase.SourceCluster => "source_cluster is not evaluated by the waypoint: it has no local cluster",
        RateLimitAction.ActionSpecifierOneofCase.DestinationCluster
            or RateLimitAction.ActionSpecifierOneofCase.RequestHeaders
            or RateLimitAction.ActionSpecifierOneofCase.RemoteAddress
            or RateLimitAction.ActionSpecifierOneofCase.MaskedRemoteAddress
            or RateLimitAction.ActionSpecifierOneofCase.GenericKey
            or RateLimitAction.ActionSpecifierOneofCase.HeaderValueMatch
            or RateLimitAction.ActionSpecifierOneofCase.QueryParameterValueMatch => null,
        var other => $"the {other} action is not evaluated by the waypoint",
    };

    /// <summary>The descriptor this request yields (its entries as <see cref="DescriptorKey"/> text), or null.</summary>
    public string? Describe(HttpContext context)
    {
        var key = new StringBuilder();
        foreach (var action in _actions)
        {
            var (outcome, entry) = action(context);
            if (outcome == Outcome.NoDescriptor)
                return null;
            if (outcome == Outcome.Entry)
                DescriptorKey.Append(key, entry!);
        }
        // Envoy adds only a descriptor with at least one entry.
        return key.Length > 0 ? key.ToString() : null;
    }

    private static Func<HttpContext, (Outcome, string?)> Compile(RateLimitAction action, string? cluster)
    {
        if (Unsupported(action, cluster) is not null)
            return static _ => (Outcome.NoDescriptor, null);
        switch (action.ActionSpecifierCase)
        {
            case RateLimitAction.ActionSpecifierOneofCase.DestinationCluster:
            {
                var entry = DescriptorKey.Entry("destination_cluster", cluster!);
                return _ => (Outcome.Entry, entry);
            }
            case RateLimitAction.ActionSpecifierOneofCase.RequestHeaders:
            {
                var headers = action.RequestHeaders;
                return context => context.Request.Headers.TryGetValue(headers.HeaderName, out var values) && values.Count > 0
                    ? (Outcome.Entry, DescriptorKey.Entry(headers.DescriptorKey, values[0] ?? ""))
                    : (headers.SkipIfAbsent ? Outcome.Skip : Outcome.NoDescriptor, null);
            }
            case RateLimitAction.ActionSpecifierOneofCase.RemoteAddress:
                return static context => context.Connection.RemoteIpAddress is { } address
                    ? (Outcome.Entry, DescriptorKey.Entry("remote_address", Unmapped(address).ToString()))
                    : (Outcome.NoDescriptor, null);
            case RateLimitAction.ActionSpecifierOneofCase.MaskedRemoteAddress:
            {
                var v4 = (int)(action.MaskedRemoteAddress.V4PrefixMaskLen ?? 32);
                var v6 = (int)(action.MaskedRemoteAddress.V6PrefixMaskLen ?? 128);
                return context => context.Connection.RemoteIpAddress is { } address
                    ? (Outcome.Entry, DescriptorKey.Entry("masked_remote_address", Masked(Unmapped(address), v4, v6)))
                    : (Outcome.NoDescriptor, null);
            }
            case RateLimitAction.ActionSpecifierOneofCase.GenericKey:
            {
                var generic = action.GenericKey;
                var entry = DescriptorKey.Entry(generic.DescriptorKey.Length > 0 ? generic.DescriptorKey : "generic_key", generic.DescriptorValue);
                return _ => (Outcome.Entry, entry);
            }
            case RateLimitAction.ActionSpecifierOneofCase.HeaderValueMatch:
            {
                var match = action.HeaderValueMatch;
                var entry = DescriptorKey.Entry(match.DescriptorKey.Length > 0 ? match.DescriptorKey : "header_match", match.DescriptorValue);
                var expected = match.ExpectMatch ?? true;
                var matchers = match.Headers.ToArray();
                return context => matchers.All(m => HeaderMatchers.Matches(m, context.Request.Headers)) == expected
                    ? (Outcome.Entry, entry)
                    : (Outcome.NoDescriptor, null);
            }
            default:
            {
                var match = action.QueryParameterValueMatch;
                var entry = DescriptorKey.Entry(match.DescriptorKey.Length > 0 ? match.DescriptorKey : "query_match", match.DescriptorValue);
                var expected = match.ExpectMatch ?? true;
                var matchers = match.QueryParameters.ToArray();
                return context => matchers.All(m => QueryMatches(m, context.Request.Query)) == expected
                    ? (Outcome.Entry, entry)
                    : (Outcome.NoDescriptor, null);
            }
        }
    }

    private static bool QueryMatches(QueryParameterMatcher matcher, IQueryCollection query)
    {
        var present = query.TryGetValue(matcher.Name, out var values);
        return matcher.QueryParameterMatchSpecifierCase switch
        {
            QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.PresentMatch => present == matcher.PresentMatch,
            QueryParameterMatcher.QueryParameterMatchSpecifierOneofCase.StringMatch => present && HeaderMatchers.Matches(matcher.StringMatch, values[0] ?? ""),
            _ => present,
        };
    }

    private static IPAddress Unmapped(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The address with only its first bits kept, as a CIDR (<c>192.168.0.0/16</c>), what Envoy's masked_remote_address yields.</summary>
    private static string Masked(IPAddress address, int v4Bits, int v6Bits)
    {
        var bits = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? v4Bits : v6Bits;
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return $"{new IPAddress(bytes)}/{bits}";
    }
}
