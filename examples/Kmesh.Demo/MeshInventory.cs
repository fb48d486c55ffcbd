using System.Net;
using Envoy.Config.Core.V3;
using Kmesh.Sdk.Testing;
using Kmesh.Xds;

namespace Kmesh.Demo;

/// <summary>A service the demo dials: a listener's name and VIP:port.</summary>
internal sealed record DemoService(string Name, string Address, int Port)
{
    public override string ToString() => $"{Name} ({(Address.Contains(':') ? $"[{Address}]" : Address)}:{Port})";
}

/// <summary>
/// What the example mesh holds: the services to dial, the backends to start, and the backends
/// to start inside the governed cgroup (endpoint metadata <c>demo.in_cgroup: true</c>).
/// </summary>
internal sealed record MeshInventory(IReadOnlyList<DemoService> Services, IReadOnlyList<BackendSpec> Backends, IReadOnlyList<BackendSpec> InCgroupBackends)
{
    public static MeshInventory From(EnvoyResources resources)
    {
        var services = resources.Listeners
            .Where(l => l.Address?.SocketAddress is not null)
            .Select(l => new DemoService(l.Name, l.Address.SocketAddress.Address, (int)l.Address.SocketAddress.PortValue))
            .ToList();
        var backends = new Dictionary<string, BackendSpec>();
        var inCgroup = new Dictionary<string, BackendSpec>();
        foreach (var cluster in resources.Clusters)
        {
            var index = 0;
            foreach (var lbEndpoint in cluster.LoadAssignment?.Endpoints.SelectMany(l => l.LbEndpoints) ?? [])
            {
                var socket = lbEndpoint.Endpoint?.Address?.SocketAddress;
                index++;
                if (socket is null || !IPAddress.TryParse(socket.Address, out _))
                    continue;
                var name = string.IsNullOrEmpty(lbEndpoint.Endpoint!.Hostname) ? $"{cluster.Name}-{index}" : lbEndpoint.Endpoint.Hostname;
                (InCgroup(lbEndpoint) ? inCgroup : backends).TryAdd($"{socket.Address}:{socket.PortValue}", new BackendSpec(name, socket.Address, (int)socket.PortValue));
            }
        }
        return new MeshInventory(services, backends.Values.ToList(), inCgroup.Values.ToList());
    }

    private static bool InCgroup(global::Envoy.Config.Endpoint.V3.LbEndpoint endpoint) =>
        endpoint.Metadata?.FilterMetadata.TryGetValue("demo", out var demo) == true
        && demo.Fields.TryGetValue("in_cgroup", out var flag) && flag.BoolValue;

    /// <summary>IPv6 backend addresses, which the sandbox must put on its loopback.</summary>
    public IReadOnlyList<string> IPv6Addresses => Backends.Where(b => b.Address.Contains(':')).Select(b => b.Address).Distinct().ToList();
}
