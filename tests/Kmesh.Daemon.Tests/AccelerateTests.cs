using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Same-node acceleration on real sockets: a client of the governed cgroup dials a service
/// whose endpoint is a listener of the same cgroup, so both ends are local workloads and every
/// send is redirected socket to socket. What users care about: not one byte changes, whatever
/// the write pattern; a connection with a non-local end or an opted-out service is left alone;
/// closing leaves nothing behind; connections outlive the daemon.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class AccelerateTests
{
    private const int Port = 9080;
    private const string Vip4 = "127.20.0.60", Vip6 = "fd00:20::60";
    private const string Local4 = "127.0.7.1", Local6 = "::1";
    private const long MiB = 1024 * 1024;

    private static string Config(string endpoint, string vip, bool optOut = false) => $$"""
        static_resources:
          listeners:
          - name: local
            address: { socket_address: { address: "{{vip}}", port_value: {{Port}} } }
            {{(optOut ? "metadata: { filter_metadata: { kmesh: { accelerate: false } } }" : "")}}
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: local
                  cluster: local
          clusters:
          - name: local
            type: STATIC
            load_assignment:
              cluster_name: local
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "{{endpoint}}", port_value: {{Port}} } } }
        """;

    [KernelTheory]
    [InlineData(Vip4, Local4, 256)]
    [InlineData(Vip6, Local6, 64)]
    public async Task RandomSizedWrites_EachWay_ArriveByteForByte_AndAreRedirected(string vip, string local, long mebibytes)
    {
        await using var run = await AccelerationRun.StartAsync(Config(local, vip));
        await run.Client.ListenAsync("local-a", local, Port);

        var result = await run.Client.StreamAsync(vip, Port, mebibytes * MiB, maxWrite: 200_000, seed: 7);
        var counters = await run.CountersAsync();

        Assert.Equal("local-a", result.Name);
        Assert.Equal(mebibytes * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(1ul, counters.Connections);
        // Both directions went socket to socket: the request and its echo.
        Assert.True(counters.Bytes >= 2ul * (ulong)(mebibytes * MiB), $"{counters}\n{run.Core.Daemon.Log}");
    }

    [KernelFact]
    public async Task ServerListeningSinceBeforeTheDaemon_IsLearntFromItsFirstSyn_AndAccelerated()
    {
        // As after a daemon restart or upgrade: the server's listen() happened before any program was attached.
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4),
            beforeTheDaemon: client => client.ListenAsync("local-a", Local4, Port));

        var result = await run.Client.StreamAsync(Vip4, Port, 8 * MiB, seed: 41);
        var counters = await run.CountersAsync();

        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(1ul, counters.Connections);
        Assert.True(counters.Bytes >= 16ul * MiB, counters.ToString());
    }

    [KernelFact]
    public async Task Sendfile_ArrivesByteForByte()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);

        var result = await run.Client.StreamAsync(Vip4, Port, 64 * MiB, seed: 11, sendfile: true);
        var counters = await run.CountersAsync();

        Assert.Equal(64 * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.True(counters.Bytes >= 64ul * MiB, counters.ToString());
    }

    [KernelFact]
    public async Task VectoredWrites_ArriveByteForByte()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);

        var result = await run.Client.StreamAsync(Vip4, Port, 64 * MiB, maxWrite: 100_000, seed: 13, vectored: true);

        Assert.Equal(64 * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(1ul, (await run.CountersAsync()).Connections);
    }

    [KernelFact]
    public async Task CorkedWrites_WithMsgMore_ArriveByteForByte()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);

        var result = await run.Client.StreamAsync(Vip4, Port, 32 * MiB, maxWrite: 50_000, seed: 17, corked: true);

        Assert.Equal(32 * MiB, result.Received);
        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal(1ul, (await run.CountersAsync()).Connections);
    }

    [KernelFact]
    public async Task ServerEndKilledFirst_TheClientSeesItClosed_AndNothingStaysInTheSockhash()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);
        await run.Client.HoldAsync(Vip4, Port, "held");
        Assert.Equal(2, await run.SocketsInSockhashAsync());

        // The server's end goes first (reset by the kernel, as when a server process dies).
        await run.Sandbox.RunInNetnsAsync("ss", "-K", "-t", "state", "established", "src", $"{Local4}:{Port}");
        var release = await Record.ExceptionAsync(() => run.Client.ReleaseAsync("held"));
        var left = await run.SocketsInSockhashOnceSettledAsync();
        var after = await run.Client.StreamAsync(Vip4, Port, 4 * MiB, seed: 31);

        Assert.IsType<SandboxAgentException>(release); // the client's echo fails: its peer is gone
        Assert.Equal(0, left);
        Assert.Equal(after.SentSha256, after.ReceivedSha256);
    }

    [KernelFact]
    public async Task ClientClosingWithDataQueued_LeavesTheServerWorking_AndNothingInTheSockhash()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);

        for (var i = 0; i < 5; i++)
            await run.Client.StreamAsync(Vip4, Port, 16 * MiB, seed: 20 + i, abandon: true);
        var after = await run.Client.StreamAsync(Vip4, Port, 4 * MiB, seed: 30);
        var left = await run.SocketsInSockhashOnceSettledAsync();

        Assert.Equal(after.SentSha256, after.ReceivedSha256);
        Assert.Equal(0, left);
        Assert.Equal(6ul, (await run.CountersAsync()).Connections);
    }

    [KernelFact]
    public async Task ServerOutsideTheGovernedCgroup_IsNotRedirected()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Sandbox.StartBackendsAsync(new BackendSpec("outside", Local4, Port));

        var result = await run.Client.StreamAsync(Vip4, Port, 8 * MiB, seed: 3);
        var counters = await run.CountersAsync();

        Assert.Equal(("outside", result.SentSha256), (result.Name, result.ReceivedSha256));
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
        Assert.Equal(0, await run.SocketsInSockhashAsync());
    }

    [KernelFact]
    public async Task OptedOutService_IsNotRedirected()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4, optOut: true));
        await run.Client.ListenAsync("local-a", Local4, Port);

        var result = await run.Client.StreamAsync(Vip4, Port, 8 * MiB, seed: 5);
        var counters = await run.CountersAsync();

        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
    }

    [KernelFact]
    public async Task OptedOutWorkloadCgroup_IsNotRedirected()
    {
        // Client and server both run in the sandbox's cgroup, which the operator excludes.
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4),
            sandbox => ["--plugin-arg", $"accelerate.exclude-cgroup={sandbox.CgroupPath}"]);
        await run.Client.ListenAsync("local-a", Local4, Port);

        var result = await run.Client.StreamAsync(Vip4, Port, 8 * MiB, seed: 6);
        var counters = await run.CountersAsync();

        Assert.Equal(result.SentSha256, result.ReceivedSha256);
        Assert.Equal((0ul, 0ul), (counters.Connections, counters.Messages));
        Assert.Contains(run.Core.Daemon.Lines, l => l.Contains("Plugin accelerate 1.0.0"));
    }

    [KernelFact]
    public async Task UnknownArgument_LeavesThePluginOut_NamingIt_AndTheMeshStillRoutes()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4), _ => ["--plugin-arg", "accelerate.exclude-cgrup=/nowhere"]);
        await run.Client.ListenAsync("local-a", Local4, Port);

        var error = await run.Core.Daemon.WaitForLineAsync("Plugin accelerate is left out", TimeSpan.FromSeconds(5));
        var dialed = await run.Client.DialAsync(Vip4, Port, 3);

        Assert.Contains("unknown argument 'exclude-cgrup' (known: exclude-cgroup)", error);
        Assert.Equal(3, dialed.Count("local-a"));
    }

    [KernelFact]
    public async Task ClosedConnections_LeaveNoSocketInTheSockhash()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);

        // Client half-closes first (stream), client closes first (dial), echo checked then closed (hold/release).
        await run.Client.StreamAsync(Vip4, Port, 4 * MiB, seed: 9);
        var dialed = await run.Client.DialAsync(Vip4, Port, 20);
        await run.Client.HoldAsync(Vip4, Port, "held");
        var whileOpen = await run.SocketsInSockhashAsync();
        await run.Client.ReleaseAsync("held");
        var left = await run.SocketsInSockhashOnceSettledAsync();

        Assert.Equal(20, dialed.Count("local-a"));
        Assert.Equal(2, whileOpen); // the held connection's two ends
        Assert.Equal(0, left);
        Assert.Equal(22ul, (await run.CountersAsync()).Connections);
    }

    [KernelFact]
    public async Task AcceleratedConnection_StaysAccelerated_AcrossAnAdoptingRestart()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4), _ => ["--keep-on-exit"]);
        await run.Client.ListenAsync("local-a", Local4, Port);
        Assert.Equal("local-a", await run.Client.HoldAsync(Vip4, Port, "held"));
        var before = await run.CountersAsync();

        Assert.Equal(0, await run.Core.Daemon.StopAsync()); // --keep-on-exit: the data path stays
        await run.Core.DisposeAsync();
        run.Core = await KmeshCore.StartAsync(run.Sandbox, Config(Local4, Vip4), pluginDirs: [RepoPaths.Plugins],
            plugins: ["routing", "loadbalance", "accelerate"], daemonDll: RepoPaths.DaemonDll, extraArguments: ["--keep-on-exit"]);
        var sockets = await run.SocketsInSockhashAsync();
        await run.Client.ReleaseAsync("held"); // the echo round trip, after the restart
        var after = await run.CountersAsync();

        Assert.Contains(run.Core.Daemon.Lines, l => l.Contains("Adopting the data path"));
        Assert.Equal(2, sockets); // the held connection's two ends, still in the adopted sockhash
        // Its bytes still went socket to socket (counted by the program its sockets were inserted with).
        Assert.True(after.Bytes > before.Bytes, $"before {before}, after {after}\n{run.Core.Daemon.Log}");
    }

    [KernelFact]
    public async Task AcceleratedConnection_KeepsWorking_AfterTheDaemonStops()
    {
        await using var run = await AccelerationRun.StartAsync(Config(Local4, Vip4));
        await run.Client.ListenAsync("local-a", Local4, Port);
        Assert.Equal("local-a", await run.Client.HoldAsync(Vip4, Port, "held"));
        Assert.Equal(1ul, (await run.CountersAsync()).Connections);

        await run.Core.DisposeAsync(); // SIGTERM: detaches, unpins; the sockhash goes away

        await run.Client.ReleaseAsync("held"); // throws unless the echo still comes back
    }
}
