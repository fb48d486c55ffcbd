namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Chooses a virtual host by the request's authority the way Envoy does: an exact domain first,
/// then the longest suffix wildcard (<c>*.example.com</c>, <c>*-bar.example.com</c>), then the
/// longest prefix wildcard (<c>example.*</c>), then <c>*</c>; case-insensitive. The port is part
/// of the authority unless the connection manager strips it (<c>strip_any_host_port</c>, or
/// <c>strip_matching_host_port</c> for the port the request came in on).
/// </summary>
internal sealed class HostSelector
{
    private readonly Dictionary<string, VirtualHostRoutes> _exact = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<(string Suffix, VirtualHostRoutes Host)> _suffixes = [];
    private readonly List<(string Prefix, VirtualHostRoutes Host)> _prefixes = [];
    private VirtualHostRoutes? _any;

    public HostSelector(IEnumerable<(string Domain, VirtualHostRoutes Host)> domains, bool stripAnyPort, bool stripMatchingPort)
    {
        StripAnyPort = stripAnyPort;
        StripMatchingPort = stripMatchingPort;
        foreach (var (domain, host) in domains)
        {
            if (domain == "*")
                _any ??= host;
            else if (domain.StartsWith('*'))
                _suffixes.Add((domain[1..], host));
            else if (domain.EndsWith('*'))
                _prefixes.Add((domain[..^1], host));
            else
                _exact.TryAdd(domain, host);
        }
        // Longest first; a stable sort keeps config order among equals (Envoy refuses duplicates anyway).
        _suffixes = [.. _suffixes.OrderByDescending(s => s.Suffix.Length)];
        _prefixes = [.. _prefixes.OrderByDescending(p => p.Prefix.Length)];
    }

    public bool StripAnyPort { get; }
    public bool StripMatchingPort { get; }

    public VirtualHostRoutes? Select(string authority, int localPort)
    {
        var host = StripPort(authority, localPort);
        if (_exact.TryGetValue(host, out var exact))
            return exact;
        foreach (var (suffix, routes) in _suffixes)
            // A wildcard stands for at least one character, as in Envoy.
            if (host.Length > suffix.Length && host.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                return routes;
        foreach (var (prefix, routes) in _prefixes)
            if (host.Length > prefix.Length && host.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                return routes;
        return _any;
    }

    private string StripPort(string authority, int localPort)
    {
        if (!StripAnyPort && !StripMatchingPort)
            return authority;
        var colon = authority.LastIndexOf(':');
        if (colon < 0 || authority.EndsWith(']'))
            return authority;
        if (StripAnyPort || authority.AsSpan(colon + 1).SequenceEqual(localPort.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            return authority[..colon];
        return authority;
    }
}
