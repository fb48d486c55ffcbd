using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Envoy.Admin.V3;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Testing;
using Kmesh.Xds.Server;

namespace Kmesh.Daemon.Tests;

/// <summary>The admin API of a real daemon on a real kernel (docs/admin-api.md).</summary>
public sealed class AdminApiTests
{
    [KernelFact]
    public async Task Ready_Is503UntilTheFirstConfigIsInForce_Then200_AndStatusFollowsTheControlPlane()
    {
        await using var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = TestMesh.SandboxAddresses });
        await sandbox.StartBackendsAsync(TestMesh.Backends);
        var directory = Directory.CreateTempSubdirectory("kmesh-admin-xds").FullName;
        await File.WriteAllTextAsync(Path.Combine(directory, "mesh.yaml"), XdsMesh.Config());
        var port = FreePort();
        await using var daemon = DaemonProcess.Start(RepoPaths.DaemonDll,
            ["--xds", $"127.0.0.1:{port}", "--cgroup", sandbox.CgroupPath, "--bpffs", sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins]);
        try
        {
            await daemon.WaitForLineAsync("Kernel chain attached", TimeSpan.FromSeconds(60));
            var (before, why) = await Admin.GetAsync(daemon, "/ready");
            Assert.Equal(503, before);
            Assert.Contains("not ready:", why);

            await using var server = await FileAdsServer.StartAsync(directory, port);
            await daemon.WaitReadyAsync();

            var (after, body) = await Admin.GetAsync(daemon, "/ready");
            Assert.Equal(200, after);
            Assert.Equal("ready\n", body);
            // Ready means in force, and what is in force is in the status at once (the source records
            // the versions before the daemon says it is ready, not when it answers the server).
            var statusBody = (await Admin.GetAsync(daemon, "/status")).Body;
            using var status = JsonDocument.Parse(statusBody);
            Assert.True(status.RootElement.GetProperty("ready").GetBoolean());
            var source = status.RootElement.GetProperty("source");
            Assert.Equal("xds", source.GetProperty("kind").GetString());
            Assert.True(source.GetProperty("connected").GetBoolean());
            var versions = source.GetProperty("versions").EnumerateObject().Select(p => p.Name).ToList();
            Assert.Contains("clusters", versions);
            Assert.Contains("listeners", versions);
            Assert.Contains(status.RootElement.GetProperty("chain").EnumerateArray(), p => p.GetProperty("name").GetString() == "loadbalance" && p.GetProperty("active").GetBoolean());
            Assert.Equal(200, (await Admin.GetAsync(daemon, "/healthz")).Status);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [KernelFact]
    public async Task ConfigDump_IsEnvoysConfigDump_WithItsFilters_AndKmeshsSection()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        var (status, json) = await Admin.GetAsync(run.Daemon, "/config_dump");

        Assert.Equal(200, status);
        var dump = Parser.Parse<ConfigDump>(json);
        var listeners = dump.Configs[0].Unpack<ListenersConfigDump>();
        var clusters = dump.Configs[1].Unpack<ClustersConfigDump>();
        Assert.Contains(listeners.DynamicListeners, l => l.Name == "reviews" && l.ActiveState.Listener.Unpack<global::Envoy.Config.Listener.V3.Listener>().Address.SocketAddress.Address == TestMesh.ReviewsVip);
        Assert.Contains(clusters.DynamicActiveClusters, c => c.Cluster.Unpack<global::Envoy.Config.Cluster.V3.Cluster>().Name == "ratings-v1");
        var kmesh = dump.Configs[4].Unpack<Struct>().Fields["kmesh"].StructValue;
        var reviews = kmesh.Fields["resources"].ListValue.Values.Select(v => v.StructValue).Single(r => r.Fields["resource"].StringValue == "listener reviews");
        Assert.Equal("applied", reviews.Fields["outcome"].StringValue);
        var l7 = kmesh.Fields["resources"].ListValue.Values.Select(v => v.StructValue).Single(r => r.Fields["resource"].StringValue == "listener l7-only");
        Assert.NotEqual("applied", l7.Fields["outcome"].StringValue);

        var filtered = Parser.Parse<ConfigDump>((await Admin.GetAsync(run.Daemon, "/config_dump?resource=dynamic_active_clusters&name_regex=^ratings")).Body);
        Assert.Equal(["ratings-v1", "ratings-v2"], filtered.Configs
            .Select(c => c.Unpack<ClustersConfigDump.Types.DynamicCluster>().Cluster.Unpack<global::Envoy.Config.Cluster.V3.Cluster>().Name).Order().ToArray());
        Assert.Equal(400, (await Admin.GetAsync(run.Daemon, "/config_dump?resource=no_such_field")).Status);
        Assert.Equal(400, (await Admin.GetAsync(run.Daemon, "/config_dump?name_regex=(")).Status);
    }

    [KernelFact]
    public async Task Plugins_Maps_Logging_AndUnknownPaths()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        using var plugins = JsonDocument.Parse((await Admin.GetAsync(run.Daemon, "/plugins")).Body);
        var loadbalance = plugins.RootElement.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "loadbalance");
        Assert.Equal("active", loadbalance.GetProperty("state").GetString());
        Assert.Contains(loadbalance.GetProperty("hooks").EnumerateArray(), h => h.GetProperty("hook").GetString() == "connect4");

        // routing's table, decoded through BTF: the reviews VIP is a key, with its port in network order.
        using var routes = JsonDocument.Parse((await Admin.GetAsync(run.Daemon, "/maps/routing/rt_routes")).Body);
        var vip = BitConverter.ToUInt32(IPAddress.Parse(TestMesh.ReviewsVip).GetAddressBytes());
        Assert.Contains(routes.RootElement.GetProperty("items").EnumerateArray(), item =>
            item.GetProperty("key").GetProperty("addr")[0].GetUInt32() == vip
            && item.GetProperty("key").GetProperty("port").GetUInt16() == (ushort)IPAddress.HostToNetworkOrder((short)TestMesh.Port));
        Assert.Equal(404, (await Admin.GetAsync(run.Daemon, "/maps/routing/no_such_map")).Status);
        Assert.Equal(404, (await Admin.GetAsync(run.Daemon, "/maps/no_such_plugin")).Status);
        Assert.Equal(400, (await Admin.GetAsync(run.Daemon, "/maps/routing/rt_routes?limit=-1")).Status);

        Assert.Equal((200, "level: debug\n"), await Admin.PostAsync(run.Daemon, "/logging?level=debug"));
        Assert.Equal((200, "level: debug\n"), await Admin.GetAsync(run.Daemon, "/logging"));
        Assert.Equal(400, (await Admin.PostAsync(run.Daemon, "/logging?level=loud")).Status);
        Assert.Equal(404, (await Admin.GetAsync(run.Daemon, "/no/such/path")).Status);
    }

    [KernelFact]
    public async Task KmeshCtl_AgainstARunningDaemon_ShowsStatusConfigPluginsMapsAndSetsTheLogLevel()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        var admin = (await run.Daemon.AdminUrlAsync()).Authority;

        var (exit, status) = await CtlAsync("status", "-o", "json", "--admin", admin);
        Assert.Equal(0, exit);
        using (var json = JsonDocument.Parse(status))
            Assert.True(json.RootElement.GetProperty("ready").GetBoolean());

        var (_, clusters) = await CtlAsync("config", "dump", "clusters", "-o", "table", "--admin", admin);
        Assert.Contains("ratings-v1", clusters);
        Assert.Contains("reviews", clusters);
        var (_, plugins) = await CtlAsync("plugins", "-o", "table", "--admin", admin);
        Assert.Contains("loadbalance", plugins);
        var (_, routes) = await CtlAsync("maps", "routing", "rt_routes", "-o", "json", "--admin", admin);
        Assert.Contains("\"service_id\"", routes);
        var (levelExit, level) = await CtlAsync("log", "level", "debug", "--admin", admin);
        Assert.Equal(0, levelExit);
        Assert.Contains("debug", level);
        Assert.Equal((200, "level: debug\n"), await Admin.GetAsync(run.Daemon, "/logging"));

        await run.Daemon.StopAsync();
        var (downExit, down) = await CtlAsync("status", "--admin", admin);
        Assert.Equal(1, downExit);
        Assert.Contains("cannot reach the admin API", down);
    }

    private static async Task<(int Exit, string Output)> CtlAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await KmeshCommand.RunAsync(["ctl", .. arguments]);
        return (exit, stdout + stderr);
    }

    [KernelFact]
    public async Task AdminAddressInUse_IsAStartUpErrorNamingIt_BeforeTheKernelIsTouched()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var pins = sandbox.PinPath;
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(config, TestMesh.Config());
        try
        {
            await using var daemon = DaemonProcess.Start(RepoPaths.DaemonDll,
                ["--config", config, "--cgroup", sandbox.CgroupPath, "--bpffs", pins, "--plugin-dir", RepoPaths.Plugins, "--admin", $"127.0.0.1:{port}"]);

            Assert.Equal(1, await daemon.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains($"the admin API cannot listen on 127.0.0.1:{port}", daemon.Log);
            Assert.False(Directory.Exists(pins));
        }
        finally
        {
            File.Delete(config);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(
        TypeRegistry.FromFiles(EnvoyTypes.Files.Append(Struct.Descriptor.File).Distinct().ToArray())));
}
