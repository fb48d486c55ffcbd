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

    /// <summary>How long one name may take before it counts as a failed lookup.</summary>
    public TimeSpan LookupTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Resolves every name, all at once and each within <see cref="LookupTimeout"/>, so one
    /// slow name never holds up the others. Returns whether any name's addresses changed;
    /// failures are returned, not thrown.
    /// </summary>
    public async Task<(bool Changed, IReadOnlyList<string> Failures)> RefreshAsync(IEnumerable<string> hosts, CancellationToken cancellationToken)
    {
        var names = hosts.Where(h => !IPAddress.TryParse(h, out _)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var lookups = await Task.WhenAll(names.Select(host => LookupAsync(host, cancellationToken))).ConfigureAwait(false);
        var changed = false;
        var failures = new List<string>();
        foreach (var (host, resolved, failure) in lookups)
        {
            if (failure is not null)
            {
                failures.Add($"{host}: {failure}");
                continue;
            }
            var previous = _addresses.GetValueOrDefault(host);
            if (previous is null || !previous.SequenceEqual(resolved!))
            {
                _addresses[host] = resolved!;
                changed = true;
            }
        }
        return (changed, failures);
    }

    private async Task<(string Host, IPAddress[]? Addresses, string? Failure)> LookupAsync(string host, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(LookupTimeout);
        try
        {
            var resolved = (await _resolve(host, timeout.Token).ConfigureAwait(false))
                .Where(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
                .OrderBy(a => a.ToString(), StringComparer.Ordinal)
                .ToArray();
            return (host, resolved, null);
        }
        catch (SocketException e)
        {
            return (host, null, e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (host, null, $"no answer within {LookupTimeout.TotalSeconds:0.#} s");
        }
    }
}
