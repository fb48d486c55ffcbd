using System.Net;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// Which filter chain of a listener governs a connect to it. At connect time the kernel knows
/// only the destination, not the connection's first bytes, so a chain that needs SNI or ALPN
/// to be chosen cannot be; every plugin that reads a service's filters picks the chain the
/// same way as the routing plugin does, through this.
/// </summary>
public static class ServiceFilterChains
{
    private static readonly FilterChainMatch EmptyMatch = new();

    /// <summary>
    /// The chain and its field path (e.g. <c>filter_chains[0]</c>), or null when the listener is
    /// not a connect-time service: no unicast IP address, or only chains whose match needs the
    /// connection's bytes and no default chain. With a single matching chain, that chain.
    /// </summary>
    public static (FilterChain Chain, string Field)? ConnectTimeChain(Listener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        if (!IsServiceAddress(listener.Address) && !listener.AdditionalAddresses.Any(a => IsServiceAddress(a.Address)))
            return null;
        for (var i = 0; i < listener.FilterChains.Count; i++)
        {
            if (MatchesEverything(listener.FilterChains[i].FilterChainMatch))
                return (listener.FilterChains[i], $"filter_chains[{i}]");
        }
        if (listener.DefaultFilterChain is not null)
            return (listener.DefaultFilterChain, "default_filter_chain");
        return listener.FilterChains.Count == 1 ? (listener.FilterChains[0], "filter_chains[0]") : null;
    }

    /// <summary>An absent or empty <c>filter_chain_match</c> matches every connection.</summary>
    public static bool MatchesEverything(FilterChainMatch? match) => match is null || match.Equals(EmptyMatch);

    /// <summary>A socket address with a unicast IP (not a wildcard): what a service VIP looks like.</summary>
    public static bool IsServiceAddress(Address? address) =>
        address?.AddressCase == Address.AddressOneofCase.SocketAddress
        && IPAddress.TryParse(address.SocketAddress.Address, out var ip)
        && !ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any);
}
