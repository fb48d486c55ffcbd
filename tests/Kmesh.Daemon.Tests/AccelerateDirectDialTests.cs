using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Same-node acceleration of a pair the mesh did not route: a client of the governed cgroup dials
/// a local workload's own address (its pod IP, as clients of headless services and StatefulSets
/// do, since DNS hands out pod addresses; or loopback), never a VIP. Both ends are workloads of
/// the node, so every send must go socket to socket, byte for byte, as on the VIP path
/// (<see cref="AccelerateTests"/>); the workload opt-out holds; a peer that is not a governed
/// socket of this node (a host behind a veth, in a namespace of the test's own) is never redirected.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class AccelerateDirectDialTests
{
    private const int Port = 9080;
    private const string Pod4 = "10.77.0.1", Pod6 = "fd00:77::1", Loopback = "127.0.7.1";
    private const long MiB = 1024 * 1024;

    // A mesh with a service that none of these tests dials: the daemon and its chain are complete,
    // but no connection below carries a connection record.
    private const string Config = """
        static_resources:
          listeners:
          - name: elsewhere
            address: { socket_address: { address: "127.20.0.70", port_value: 9080 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: elsewhere
                  cluster: elsewhere
          clusters:
          - name: elsewhere
            type: STATIC
            load_assignment:
              cluster_name: elsewhere
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.7.9", port_value: 9080 } } }
        """;

    [KernelTheory]
    [InlineData(Pod4, Pod4, 128)]
    [InlineData("0.0.0.0", Pod4, 64)] // a wildcard listener, the usual pod: known by its address from the SYN
    [InlineData(Pod6, Pod6, 64)]
    [InlineData(Loopback, Loopback, 64)]
    public async Task RandomSizedWrites_EachWay_ArriveByteForByte_AndAreRedirected(string listen, string dial, long mebibytes)
    {
        await using var run = await StartAsync(Config);
        await run.Client.ListenAsync("pod-a", listen, Port);

        var result = await run.Client.StreamAsync(dial, Port, mebibytes * MiB, maxWrite: 200_000, seed: 7);
        var counters = await run.CountersAsync();

        Assert.Equal("pod-a", result.Name);
        Assert.Equal(mebibytes * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(1ul, counters.Connections);
        // Both directions went socket to socket: the request and its echo.
        Assert.True(counters.Bytes >= 2ul * (ulong)(mebibytes * MiB), $"{counters}\n{run.Core.Daemon.Log}");
    }

    [KernelFact]
    public async Task Sendfile_ArrivesByteForByte_AndIsRedirected()
    {
        await using var run = await StartAsync(Config);
        await run.Client.ListenAsync("pod-a", Pod4, Port);

        var result = await run.Client.StreamAsync(Pod4, Port, 64 * MiB, seed: 11, sendfile: true);
        var counters = await run.CountersAsync();

        Assert.Equal(64 * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.True(counters.Bytes >= 64ul * MiB, counters.ToString());
    }

    [KernelFact]
    public async Task ServerEndKilledFirst_TheClientSeesItClosed_AndNothingStaysInTheSockhash()
    {
        await using var run = await StartAsync(Config);
        await run.Client.ListenAsync("pod-a", Pod4, Port);
        await run.Client.HoldAsync(Pod4, Port, "held");
        Assert.Equal(2, await run.SocketsInSockhashAsync());

        // The server's end goes first (reset by the kernel, as when a server process dies).
        await run.Sandbox.RunInNetnsAsync("ss", "-K", "-t", "state", "established", "src", $"{Pod4}:{Port}");
        var release = await Record.ExceptionAsync(() => run.Client.ReleaseAsync("held"));
        var left = await run.SocketsInSockhashOnceSettledAsync();
        var after = await run.Client.StreamAsync(Pod4, Port, 4 * MiB, seed: 31);

        Assert.IsType<SandboxAgentException>(release); // the client's echo fails: its peer is gone
        Assert.Equal(0, left);
        Assert.Equal(after.SentSha256, after.ReceivedSha256);
    }

    [KernelFact]
    public async Task ClientClosingFirst_WithDataQueuedOrNot_LeavesTheServerWorking_AndNothingInTheSockhash()
    {
        await using var run = await StartAsync(Config);
        await run.Client.ListenAsync("pod-a", Pod4, Port);

        for (var i = 0; i < 5; i++)
            await run.Client.StreamAsync(Pod4, Port, 16 * MiB, seed: 20 + i, abandon: true);
        var dialed = await run.Client.DialAsync(Pod4, Port, 10);
        var after = await run.Client.StreamAsync(Pod4, Port, 4 * MiB, seed: 30);
        var left = await run.SocketsInSockhashOnceSettledAsync();

        Assert.Equal(after.SentSha256, after.ReceivedSha256);
        Assert.Equal(10, dialed.Count("pod-a"));
        Assert.Equal(0, left);
        Assert.Equal(16ul, (await run.CountersAsync()).Connections);
    }

    [KernelFact]
    public async Task OptedOutWorkloadCgroup_IsNotRedirected()
    {
        // Client and server both run in the sandbox's cgroup, which the operator excludes.
        await using var run = await StartAsync(Config,
            sandbox => ["--plugin-arg", $"accelerate.exclude-cgroup={sandbox.CgroupPath}"]);
        await run.Client.ListenAsync("pod-a", Pod4, Port);

        var result = await run.Client.StreamAsync(Pod4, Port, 8 * MiB, seed: 6);
        var counters = await run.CountersAsync();

        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
        Assert.Equal(0, await run.SocketsInSockhashAsync());
    }

    [KernelFact]
    public async Task ServerOutsideTheGovernedCgroup_IsNotRedirected()
    {
        await using var run = await StartAsync(Config);
        await run.Sandbox.StartBackendsAsync(new BackendSpec("outside", Pod4, Port));

        var result = await run.Client.StreamAsync(Pod4, Port, 8 * MiB, seed: 3);
        var counters = await run.CountersAsync();

        Assert.Equal(("outside", result.SentSha256), (result.Name, result.ReceivedSha256));
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
        Assert.Equal(0, await run.SocketsInSockhashAsync());
    }

    /// <summary>
    /// While some workload opted out, a local server's SYN is not learnt (its cgroup cannot be told
    /// in softirq), so a pod-address dial is accelerated only to a listener registered on that very
    /// address: a wildcard listener might be an opted-out server's neighbour on the port.
    /// </summary>
    [KernelTheory]
    [InlineData(Pod4, 1ul)]
    [InlineData("0.0.0.0", 0ul)]
    public async Task WithAWorkloadOptedOut_OnlyAListenerOnTheDialedAddressCountsAsLocal(string listen, ulong accelerated)
    {
        await using var other = await KernelSandbox.CreateAsync();
        await using var run = await StartAsync(Config, _ => ["--plugin-arg", $"accelerate.exclude-cgroup={other.CgroupPath}"]);
        await run.Client.ListenAsync("pod-a", listen, Port);

        var result = await run.Client.StreamAsync(Pod4, Port, 8 * MiB, seed: 12);
        var counters = await run.CountersAsync();

        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(accelerated, counters.Connections);
        Assert.Equal(0, await run.SocketsInSockhashOnceSettledAsync());
    }

    /// <summary>
    /// The peer is a host of its own: a server in a second namespace, reached over a veth, outside
    /// any governed cgroup. A governed wildcard listener on the same port in the client's namespace
    /// is the trap: it makes the port look local node-wide, but a client dialing an address of its
    /// own choosing counts only exact addresses, with or without workload opt-outs in force
    /// (<paramref name="withOptOuts"/>, where a local server's SYN is not learnt): its end stays out
    /// of the sockhash, and no send is redirected.
    /// </summary>
    [KernelTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PeerOnAnotherHost_IsNeverRedirected_EvenWithALocalListenerOnItsPort(bool withOptOuts)
    {
        await using var remote = await KernelSandbox.CreateAsync();
        await using var run = await StartAsync(Config,
            _ => withOptOuts ? ["--plugin-arg", $"accelerate.exclude-cgroup={remote.CgroupPath}"] : []);
        await RemoteHost.ConnectAsync(run.Sandbox, remote);
        await remote.StartBackendsAsync(new BackendSpec("remote", RemoteHost.RemoteAddress, Port));
        await run.Client.ListenAsync("pod-a", "0.0.0.0", Port);
        Assert.Equal("remote", await run.Client.HoldAsync(RemoteHost.RemoteAddress, Port, "held"));
        var whileHeld = await run.SocketsInSockhashAsync();
        await run.Client.ReleaseAsync("held");

        var result = await run.Client.StreamAsync(RemoteHost.RemoteAddress, Port, 16 * MiB, maxWrite: 100_000, seed: 8);
        var counters = await run.CountersAsync();
        var left = await run.SocketsInSockhashOnceSettledAsync();

        Assert.Equal(0, whileHeld);
        Assert.Equal(("remote", 16 * MiB), (result.Name, result.Received));
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
        Assert.Equal(0, left);
    }

    /// <summary>A run whose sandbox has pod addresses on its <c>lo</c> (10.77.0.1, fd00:77::1), for workloads dialing each other directly.</summary>
    private static Task<AccelerationRun> StartAsync(string config, Func<KernelSandbox, string[]>? extraArguments = null) =>
        AccelerationRun.StartAsync(config, extraArguments, addresses: ["10.77.0.1", "fd00:77::1"]);
}
