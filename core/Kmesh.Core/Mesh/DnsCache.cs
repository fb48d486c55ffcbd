using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Kmesh.Core.Mesh;

/// <summary>
/// Addresses of the host names that STRICT_DNS and LOGICAL_DNS clusters name, resolved by
/// the daemon (the kernel cannot) and refreshed; a name that stops resolving keeps its
/// last good addresses, as Envoy does, so a DNS hiccup does not empty a cluster.
/// </summary>
public sealed class DnsCache
{
    private readonly ConcurrentDictionary<string, IPAddress[]> _addresses = new(StringComparer.OrdinalIgnoreCase);
    private readonly Func<string, CancellationToken, Task<IPAddress[]>> _resolve;

    /// <summary>Uses the system resolver.</summary>
    public DnsCache()
        : this((host, ct) => Dns.GetHostAddressesAsync(host, ct))
    {
    }

    /// <summary>Uses the given resolver.</summary>
    public DnsCache(Func<string, CancellationToken, Task<IPAddress[]>> resolve) => _resolve = resolve;

    /// <summary>The last addresses of <paramref name="host"/> (an IP literal is its own address).</summary>
    public IReadOnlyList<IPAddress> Lookup(string host)
    {
        if (IPAddress.TryParse(host, out var literal))
            return [literal];
        return _addresses.TryGetValue(host, out var found) ? found : [];
    }

    /// <summary>Resolves every name; true when any name's addresses changed. Failures are returned, not thrown.</summary>
    public async Task<(bool Changed, IReadOnlyList<string> Failures)> RefreshAsync(IEnumerable<string> hosts, CancellationToken cancellationToken)
    {
        var changed = false;
        var failures = new List<string>();
        foreach (var host in hosts.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(host, out _))
                continue;
            try
            {
                var resolved = (await _resolve(host, cancellationToken).ConfigureAwait(false))
                    .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                    .OrderBy(a => a.ToString(), StringComparer.Ordinal)
                    .ToArray();
                var previous = _addresses.GetValueOrDefault(host);
                if (previous is null || !previous.SequenceEqual(resolved))
                {
                    _addresses[host] = resolved;
                    changed = true;
                }
            }
            catch (SocketException e)
            {
                failures.Add($"{host}: {e.Message}");
            }
        }
        return (changed, failures);
    }
}
