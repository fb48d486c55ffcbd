using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// HTTP services the Istio way: a wildcard listener (<c>0.0.0.0_PORT</c>) whose HTTP connection
/// managers route by virtual host, and whose virtual hosts name their service's VIP among their
/// <c>domains</c>. Each such virtual host is a service of its own in the kernel (routing gives
/// its VIPs the service id of <see cref="ServiceName"/>), so that every plugin acting per service
/// (fault injection, ...) reads the same virtual host the same way as routing does.
/// </summary>
public static class HttpVirtualHosts
{
    /// <summary>
    /// The name a virtual host of a wildcard listener goes by as a service, for
    /// <see cref="IMeshIds.ServiceId"/>: <c>listener|virtual host</c>.
    /// </summary>
    public static string ServiceName(string listenerName, string virtualHostName) => $"{listenerName}|{virtualHostName}";

    /// <summary>
    /// The HTTP connection managers of a wildcard listener that a connect to a VIP would reach,
    /// with their field paths: chains that match everything or only the sniffed protocol
    /// (<c>transport_protocol</c>, <c>application_protocols</c>: Istio's HTTP chain), then the
    /// default chain. <paramref name="skipped"/> gets the chains with an HTTP connection manager
    /// that are matched on what connect() does not know (server name, addresses, port ranges).
    /// </summary>
    public static List<(HttpConnectionManager Hcm, string Field)> ReachableManagers(Listener listener, List<string>? skipped = null)
    {
        ArgumentNullException.ThrowIfNull(listener);
        var result = new List<(HttpConnectionManager, string)>();
        for (var i = 0; i < listener.FilterChains.Count; i++)
        {
            var chain = listener.FilterChains[i];
            var field = $"filter_chains[{i}]";
            if (FirstHttpManager(chain, field) is not { } hcm)
                continue;
            if (ProtocolOnly(chain.FilterChainMatch))
                result.Add(hcm);
            else
                skipped?.Add(field);
        }
        if (listener.DefaultFilterChain is { } fallback && FirstHttpManager(fallback, "default_filter_chain") is { } defaultHcm)
            result.Add(defaultHcm);
        return result;
    }

    /// <summary>Whether one of the virtual host's domains is an IP literal (a VIP the kernel can see).</summary>
    public static bool NamesAVip(VirtualHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Domains.Any(d => TryParseIpDomain(d, out _, out _));
    }

    /// <summary>
    /// An IP literal domain: <c>10.96.0.15</c>, <c>10.96.0.15:9080</c>, <c>fd00::10</c>,
    /// <c>[fd00::10]</c>, <c>[fd00::10]:9080</c>. Strict: dotted-quad IPv4 only (no "10" or
    /// "10.1" shorthand), no zone ids, no wildcards; host names are not IPs.
    /// </summary>
    public static bool TryParseIpDomain(string domain, out IPAddress ip, out int? port)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ip = IPAddress.None;
        port = null;
        string host;
        if (domain.StartsWith('['))
        {
            var close = domain.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
                return false;
            host = domain[1..close];
            var rest = domain[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':') || !TryParsePort(rest[1..], out var p))
                    return false;
                port = p;
            }
            return host.Contains(':', StringComparison.Ordinal) && TryParseV6(host, out ip);
        }
        var colons = domain.Count(c => c == ':');
        if (colons >= 2)
            return TryParseV6(domain, out ip); // a bare IPv6 literal, no port
        host = domain;
        if (colons == 1)
        {
            var at = domain.IndexOf(':', StringComparison.Ordinal);
            host = domain[..at];
            if (!TryParsePort(domain[(at + 1)..], out var p))
                return false;
            port = p;
        }
        var octets = host.Split('.');
        if (octets.Length != 4 || octets.Any(o => o.Length is 0 or > 3 || !o.All(char.IsAsciiDigit)))
            return false;
        if (!IPAddress.TryParse(host, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork || v4.Equals(IPAddress.Any))
            return false;
        ip = v4;
        return true;
    }

    private static bool TryParseV6(string text, out IPAddress ip)
    {
        ip = IPAddress.None;
        if (text.Contains('%', StringComparison.Ordinal) || !text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.'))
            return false;
        if (!IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6 || v6.Equals(IPAddress.IPv6Any))
            return false;
        ip = v6;
        return true;
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535;

    /// <summary>The first tcp_proxy or HTTP connection manager of a chain decides; only the latter has routes.</summary>
    private static (HttpConnectionManager, string)? FirstHttpManager(FilterChain chain, string chainField)
    {
        for (var i = 0; i < chain.Filters.Count; i++)
        {
            var config = chain.Filters[i].TypedConfig;
            if (config is null)
                continue;
            if (config.Is(TcpProxy.Descriptor))
                return null;
            if (config.Is(HttpConnectionManager.Descriptor))
                return (config.Unpack<HttpConnectionManager>(), $"{chainField}.filters[{i}]");
        }
        return null;
    }

    /// <summary>No match, or one on the sniffed protocol only (what Istio's HTTP chain on 0.0.0.0_PORT has).</summary>
    private static bool ProtocolOnly(FilterChainMatch? match)
    {
        if (ServiceFilterChains.MatchesEverything(match))
            return true;
        var rest = match!.Clone();
        rest.TransportProtocol = "";
        rest.ApplicationProtocols.Clear();
        return ServiceFilterChains.MatchesEverything(rest);
    }
}
