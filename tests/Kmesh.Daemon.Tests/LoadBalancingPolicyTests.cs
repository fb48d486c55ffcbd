using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// LEAST_REQUEST and the consistent-hash policies on real connects. Least request counts each
/// endpoint's open connections in the kernel (sock_ops: up when the SYN leaves, down on close);
/// RING_HASH and MAGLEV hash the client (its network namespace and, when bound, its source
/// address, which is how these tests make forty clients out of one namespace).
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class LoadBalancingPolicyTests
{
    internal const string Vip = "127.20.0.50";
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);
    private static readonly (string Name, string Address)[] Three = [("random-a", "127.0.4.1"), ("random-b", "127.0.4.2"), ("random-c", "127.0.4.3")];
    private static readonly (string Name, string Address) Fourth = ("reviews-d", "127.0.1.4");

    internal static string Config(string policyFields, IEnumerable<(string Name, string Address)> endpoints)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        yaml.AppendLine("  - name: balanced");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{Vip}\", port_value: {TestMesh.Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine("          stat_prefix: balanced");
        yaml.AppendLine("          cluster: balanced");
        yaml.AppendLine("  clusters:");
        yaml.AppendLine("  - name: balanced");
        yaml.AppendLine("    type: STATIC");
        yaml.AppendLine($"    {policyFields}");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine("      cluster_name: balanced");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        foreach (var (_, address) in endpoints)
            yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{address}\", port_value: {TestMesh.Port} }} }} }}");
        return yaml.ToString();
    }

    [KernelFact]
    public async Task LeastRequest_NewConnectsGoToTheEndpointWithFewerOpenConnections()
    {
        // 16 samples per connect: with two endpoints the lesser one is missed once in 65536.
        await using var run = await MeshRun.StartAsync(Config("lb_policy: LEAST_REQUEST\n    least_request_lb_config: { choice_count: 16 }", Three.Take(2)));

        var held = new List<(string Id, string Backend)>();
        for (var i = 0; i < 6; i++)
            held.Add(($"first-{i}", await run.Client.HoldAsync(Vip, TestMesh.Port, $"first-{i}")));
        Assert.True(held.Count(h => h.Backend == "random-a") == 3, string.Join(", ", held));

        // random-a's three close: it now has none open against random-b's three.
        foreach (var (id, _) in held.Where(h => h.Backend == "random-a"))
            await run.Client.ReleaseAsync(id);
        await Task.Delay(300); // the closes' FIN exchange on loopback
        var next = new List<string>();
        for (var i = 0; i < 3; i++)
            next.Add(await run.Client.HoldAsync(Vip, TestMesh.Port, $"next-{i}"));

        Assert.True(next.All(b => b == "random-a"), $"{string.Join(", ", next)}\n{run.Daemon.Log}");
    }

    [KernelTheory]
    [InlineData("RING_HASH")]
    [InlineData("MAGLEV")]
    public async Task ConsistentHash_AClientKeepsItsEndpoint_AndAnAddedEndpointTakesAboutAQuarter(string policy)
    {
        await using var run = await MeshRun.StartAsync(Config($"lb_policy: {policy}", Three));
        var clients = Enumerable.Range(1, 40).Select(i => $"127.0.8.{i}").ToArray();

        var before = await EndpointOfEachClient(run, clients, connectsEach: 3);
        Assert.True(Three.All(e => before.Values.Contains(e.Name)), $"a client hash reached only {string.Join(",", before.Values.Distinct())}");

        await run.RewriteConfigAsync(Config($"lb_policy: {policy}", [.. Three, Fourth]));
        var deadline = DateTime.UtcNow + ChangeTimeout;
        while (!(await EndpointOfEachClient(run, clients, connectsEach: 1)).ContainsValue(Fourth.Name) && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        var after = await EndpointOfEachClient(run, clients, connectsEach: 3);

        var moved = clients.Where(c => before[c] != after[c]).ToList();
        var toFourth = moved.Count(c => after[c] == Fourth.Name);
        var summary = string.Join(" ", clients.Select(c => $"{c}:{before[c]}->{after[c]}"));
        Assert.True(toFourth >= 3 && moved.Count <= 20, $"{moved.Count} moved, {toFourth} to {Fourth.Name}: {summary}");
        Assert.True(moved.Count - toFourth <= 8, $"{moved.Count - toFourth} moved between old endpoints: {summary}");
    }

    /// <summary>Dials from each client address; every connect of one client must reach one endpoint.</summary>
    private static async Task<Dictionary<string, string>> EndpointOfEachClient(MeshRun run, string[] clients, int connectsEach)
    {
        var result = new Dictionary<string, string>();
        foreach (var client in clients)
        {
            var dial = await run.Client.DialAsync(Vip, TestMesh.Port, connectsEach, source: client);
            Assert.True(dial.Succeeded == connectsEach && dial.Histogram.Count == 1, $"client {client}: {dial}");
            result[client] = dial.Histogram.Keys.Single();
        }
        return result;
    }
}
