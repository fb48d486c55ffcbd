using System.Globalization;
using System.Text;

namespace Kmesh.Bench;

/// <summary>
/// The generated mesh: <c>services</c> synthetic services of 10 endpoints each, plus "web" (the
/// request-path VIP in front of nginx), "local" (the same-node VIP in front of the nginx that runs
/// inside the governed cgroup) and "probe" (one endpoint the control-plane test toggles).
/// Addresses match bench/tools/kmb-connect.c: service s has VIP 127.20.(s/250).(s%250+1):80,
/// endpoint k = s*10+e is 127.(100+k/62500).((k/250)%250).(k%250+1):9000. All of 127/8 is local
/// to the namespace's lo, so one listener on 0.0.0.0:9000 answers every endpoint.
/// </summary>
public static class MeshConfig
{
    public const int EndpointsPerService = 10;
    public const string WebVip = "127.10.0.1";
    public const string WebBackend = "127.0.0.2";
    public const int WebBackendPort = 8080;
    public const string LocalVip = "127.10.0.2";
    public const string LocalBackend = "127.0.0.4";
    public const string ProbeVip = "127.30.0.1";
    public const string ProbeBackend = "127.0.0.2";
    public const int ListenerPort = 9000;
    public const int ClosedPort = 9001;

    public static string Vip(int s) => $"127.20.{s / 250}.{s % 250 + 1}";

    public static string Endpoint(int k) => $"127.{100 + k / 62500}.{k / 250 % 250}.{k % 250 + 1}";

    /// <summary>
    /// The config as YAML (flow style per endpoint, like examples/mesh.yaml). With
    /// <paramref name="probeEds"/> the probe cluster is an EDS cluster (ADS) whose endpoint comes
    /// from <see cref="ProbeAssignment"/>, a file of its own, and <paramref name="probeOpen"/> is unused.
    /// </summary>
    public static string Generate(int services, bool probeOpen, bool probeEds = false)
    {
        var b = new StringBuilder(services * 1200 + 4096);
        b.Append("static_resources:\n  listeners:\n");
        Listener(b, "web", WebVip, 80);
        Listener(b, "local", LocalVip, 80);
        Listener(b, "probe", ProbeVip, 80);
        for (var s = 0; s < services; s++)
            Listener(b, Name(s), Vip(s), 80);
        b.Append("  clusters:\n");
        Cluster(b, "web", [(WebBackend, WebBackendPort)]);
        Cluster(b, "local", [(LocalBackend, WebBackendPort)]);
        if (probeEds)
            b.Append("  - name: probe\n    type: EDS\n    lb_policy: ROUND_ROBIN\n    eds_cluster_config: { eds_config: { ads: {} } }\n");
        else
            Cluster(b, "probe", [(ProbeBackend, probeOpen ? ListenerPort : ClosedPort)]);
        var eps = new (string, int)[EndpointsPerService];
        for (var s = 0; s < services; s++)
        {
            for (var e = 0; e < EndpointsPerService; e++)
                eps[e] = (Endpoint(s * EndpointsPerService + e), ListenerPort);
            Cluster(b, Name(s), eps);
        }
        return b.ToString();
    }

    /// <summary>The probe's ClusterLoadAssignment alone, as a resource list (for the ADS server's directory).</summary>
    public static string ProbeAssignment(bool probeOpen) => string.Create(CultureInfo.InvariantCulture,
        $"resources:\n- \"@type\": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment\n  cluster_name: probe\n  endpoints:\n  - lb_endpoints:\n    - endpoint: {{ address: {{ socket_address: {{ address: {ProbeBackend}, port_value: {(probeOpen ? ListenerPort : ClosedPort)} }} }} }}\n");

    private static string Name(int s) => "svc-" + s.ToString(CultureInfo.InvariantCulture);

    private static void Listener(StringBuilder b, string name, string address, int port) => b.Append(CultureInfo.InvariantCulture,
        $"  - name: {name}\n    address: {{ socket_address: {{ address: {address}, port_value: {port} }} }}\n" +
        $"    filter_chains:\n    - filters:\n      - name: envoy.filters.network.tcp_proxy\n        typed_config:\n" +
        $"          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy\n" +
        $"          stat_prefix: {name}\n          cluster: {name}\n");

    private static void Cluster(StringBuilder b, string name, (string Address, int Port)[] endpoints)
    {
        b.Append(CultureInfo.InvariantCulture,
            $"  - name: {name}\n    type: STATIC\n    lb_policy: ROUND_ROBIN\n    load_assignment:\n      cluster_name: {name}\n      endpoints:\n      - lb_endpoints:\n");
        foreach (var (address, port) in endpoints)
            b.Append(CultureInfo.InvariantCulture, $"        - endpoint: {{ address: {{ socket_address: {{ address: {address}, port_value: {port} }} }} }}\n");
    }

    /// <summary>
    /// kube-proxy's iptables layout for the same services: KUBE-SERVICES matches each VIP:port
    /// (one rule per service, scanned in order), a KUBE-SVC chain per service picks one of its
    /// endpoints with the statistic module, a DNAT per endpoint. For iptables-restore.
    /// </summary>
    public static string IptablesRules(int services)
    {
        var b = new StringBuilder(services * 1500 + 1024);
        b.Append("*nat\n:OUTPUT ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n");
        b.Append("-A OUTPUT -j KUBE-SERVICES\n");
        b.Append(CultureInfo.InvariantCulture,
            $"-A KUBE-SERVICES -d {WebVip}/32 -p tcp --dport 80 -j DNAT --to-destination {WebBackend}:{WebBackendPort}\n");
        for (var s = 0; s < services; s++)
            b.Append(CultureInfo.InvariantCulture, $":KUBE-SVC-{s} - [0:0]\n");
        for (var s = 0; s < services; s++)
        {
            b.Append(CultureInfo.InvariantCulture, $"-A KUBE-SERVICES -d {Vip(s)}/32 -p tcp --dport 80 -j KUBE-SVC-{s}\n");
            for (var e = 0; e < EndpointsPerService; e++)
            {
                var left = EndpointsPerService - e;
                var dnat = $"-j DNAT --to-destination {Endpoint(s * EndpointsPerService + e)}:{ListenerPort}";
                if (left > 1)
                    b.Append(CultureInfo.InvariantCulture, $"-A KUBE-SVC-{s} -p tcp -m statistic --mode random --probability {1.0 / left:0.00000} {dnat}\n");
                else
                    b.Append(CultureInfo.InvariantCulture, $"-A KUBE-SVC-{s} -p tcp {dnat}\n");
            }
        }
        b.Append("COMMIT\n");
        return b.ToString();
    }
}
