using Envoy.Config.Route.V3;
using Kmesh.Waypoint.Upstream;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A route's host rewrite, the authority the upstream sees: <c>host_rewrite_literal</c>,
/// <c>auto_host_rewrite</c> (the chosen endpoint), <c>host_rewrite_header</c> (a request header's
/// value when present) or <c>host_rewrite_path_regex</c> (the path, rewritten by the regex).
/// Without one, the client's authority is kept, as Envoy keeps it.
/// </summary>
internal abstract record HostRewrite
{
    /// <summary>The rewrite of <paramref name="action"/>, or null when it keeps the client's authority.</summary>
    public static HostRewrite? From(RouteAction action, string field) => action.HostRewriteSpecifierCase switch
    {
        RouteAction.HostRewriteSpecifierOneofCase.HostRewriteLiteral when action.HostRewriteLiteral.Length > 0 => new Literal(action.HostRewriteLiteral),
        RouteAction.HostRewriteSpecifierOneofCase.AutoHostRewrite when action.AutoHostRewrite == true => new ToEndpoint(),
        RouteAction.HostRewriteSpecifierOneofCase.HostRewriteHeader when action.HostRewriteHeader.Length > 0 => new FromHeader(action.HostRewriteHeader),
        RouteAction.HostRewriteSpecifierOneofCase.HostRewritePathRegex =>
            new FromPath(PathRewrite.From("", action.HostRewritePathRegex, null, $"{field}.host_rewrite_path_regex")!),
        _ => null,
    };

    /// <summary>The upstream authority for this request, or null to keep the client's.</summary>
    /// <param name="path">The request's path without its query (what <c>host_rewrite_path_regex</c> reads).</param>
    public abstract string? For(HttpRequest request, UpstreamEndpoint endpoint, string path);

    private sealed record Literal(string Host) : HostRewrite
    {
        public override string For(HttpRequest request, UpstreamEndpoint endpoint, string path) => Host;
    }

    private sealed record ToEndpoint : HostRewrite
    {
        public override string For(HttpRequest request, UpstreamEndpoint endpoint, string path) =>
            endpoint.Host.Contains(':', StringComparison.Ordinal) ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}";
    }

    private sealed record FromHeader(string Header) : HostRewrite
    {
        public override string? For(HttpRequest request, UpstreamEndpoint endpoint, string path) =>
            request.Headers.TryGetValue(Header, out var value) && value.Count > 0 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;
    }

    private sealed record FromPath(PathRewrite Rewrite) : HostRewrite
    {
        public override string For(HttpRequest request, UpstreamEndpoint endpoint, string path) => Rewrite.Apply(path);
    }
}
