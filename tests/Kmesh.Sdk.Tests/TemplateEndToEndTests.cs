using System.Security;
using System.Text;
using Kmesh.Sdk.Manifest;
using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Tests;

/// <summary>
/// What a plugin author does, from the packed folder only: install the template, instantiate it
/// under a new name, build it against the packed packages (PackageReference, no project in this
/// repository), run its generated test (the daemon from Kmesh.Sdk.Testing in a sandbox), then hand
/// its build output as is to the daemon (--plugin-dir) and watch its program act on real connects.
/// </summary>
[Collection(PackedSdkCollection.Name)]
public sealed class TemplateEndToEndTests(PackedSdk sdk)
{
    private const string Name = "Contoso.Port-Guard"; // not a valid namespace as is: paths and namespaces differ
    private const string PluginName = "contoso-port-guard"; // the name in lower case, '.' as '-'
    private const string SeenMap = "contoso_port_guard_seen";
    private const string Vip = "127.31.0.10";
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(2);

    [KernelFact]
    public async Task Template_BuiltAgainstThePackedSdk_PassesItsTest_AndItsProgramActsOnRealConnects()
    {
        var hive = Path.Combine(sdk.Root, "template-hive");   // not the machine's template list
        var work = Path.Combine(sdk.Root, "work");
        Directory.CreateDirectory(work);
        var environment = new Dictionary<string, string?> { ["KMESH_REQUIRE_BPF"] = "1" };

        await Run.DotnetAsync(work, environment, Step, "new", "install", sdk.Package("Kmesh.Templates"), "--debug:custom-hive", hive);
        await Run.DotnetAsync(work, environment, Step, "new", "kmesh-plugin", "-n", Name, "-o", Name, "--debug:custom-hive", hive);
        var solution = Path.Combine(work, Name);
        await WriteNugetConfigAsync(work, environment);

        await Run.DotnetAsync(solution, environment, Step, "build", "-nologo", "-v:q", "-clp:NoSummary");

        // Built from the packages: Kmesh.Sdk came from the packed feed into this test's package folder.
        var assets = await File.ReadAllTextAsync(Path.Combine(solution, "src", Name, "obj", "project.assets.json"));
        Assert.Contains($"\"Kmesh.Sdk/{RepoPaths.SdkVersion}\"", assets);
        Assert.DoesNotContain("\"type\": \"project\"", assets);
        var pluginOut = Path.Combine(solution, "src", Name, "bin", "Debug", "net10.0");
        var manifest = PluginManifest.Load(Path.Combine(pluginOut, PluginManifest.FileName));
        Assert.Equal((PluginName, $"{PluginName}.bpf.o", RepoPaths.SdkAbiVersion, 50), (manifest.Name, manifest.Object, manifest.Abi, manifest.Order));
        Assert.Equal(["connect4", "connect6"], manifest.Hooks);
        Assert.True(File.Exists(Path.Combine(pluginOut, manifest.Object)), "the .bpf.o is not in the build output");

        // Its generated tests, none skipped: the translator's, the map structs' layouts (MapLayout
        // against the built object's BTF), the daemon shipped in Kmesh.Sdk.Testing on real connects
        // and the waypoint shipped with it serving a request through the plugin's L7 part.
        var test = await Run.DotnetAsync(solution, environment, Step, "test", "--no-build", "-nologo");
        Assert.Matches(@"Passed!\s+-\s+Failed:\s+0,\s+Passed:\s+5,\s+Skipped:\s+0", test);

        // Its build output as is, as a plugin folder of this repository's daemon.
        await using var sandbox = await KernelSandbox.CreateAsync();
        await sandbox.StartBackendsAsync(
            new BackendSpec("web-1", "127.0.1.1", 8080), new BackendSpec("web-2", "127.0.1.2", 8080),
            new BackendSpec("discard", "127.0.2.1", 9), new BackendSpec("other", "127.0.2.1", 7000));
        await using var core = await KmeshCore.StartAsync(sandbox, MeshConfig,
            pluginDirs: [pluginOut, RepoPaths.Plugins], plugins: [PluginName, "routing", "loadbalance"], daemonDll: RepoPaths.DaemonDll);
        Assert.Contains(core.Daemon.Lines, l => l.Contains($"Plugin {PluginName} 0.1.0 (ABI {RepoPaths.SdkAbiVersion})"));
        await using var client = await sandbox.ClientAsync();

        var refused = await client.DialAsync("127.0.2.1", 9, count: 3);
        var otherPort = await client.DialAsync("127.0.2.1", 7000, count: 2);
        var service = await client.DialAsync(Vip, 8080, count: 4);

        Assert.True(refused.ErrorCount("ECONNREFUSED") == 3, $"port 9: {refused}");
        Assert.True(otherPort.Count("other") == 2, $"port 7000: {otherPort}");
        Assert.True(service.Count("web-1") == 2 && service.Count("web-2") == 2, $"service: {service}");
        Assert.True(await core.ReadCounterAsync(SeenMap) >= 9, "the program's counter of connects seen");

        // Without clang, the package's targets stop the build saying what to install.
        var (exitCode, noClang) = await Run.DotnetResultAsync(solution, environment, Step,
            "build", Path.Combine("src", Name), "-nologo", "-v:q", "-p:KmeshClang=kmesh-test-no-such-clang");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("'kmesh-test-no-such-clang' was not found", noClang);
        Assert.Contains("apt-get install clang libbpf-dev", noClang);
    }

    /// <summary>
    /// The packed folder first (and only it for Kmesh.*), then the machine's package folders and
    /// its configured feeds; packages go to a folder of this test, so the machine's stays untouched.
    /// </summary>
    private async Task WriteNugetConfigAsync(string directory, Dictionary<string, string?> environment)
    {
        var listed = await Run.DotnetAsync(directory, environment, Step, "nuget", "list", "source", "--format", "short");
        var sources = new List<(string Key, string Value)> { ("kmesh-packed", sdk.Feed) };
        var machineCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var folder in new[] { machineCache, "/opt/nuget/packages" }.Where(Directory.Exists))
            sources.Add(($"local-{sources.Count}", folder));
        foreach (var line in listed.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("E ", StringComparison.Ordinal))
                sources.Add(($"feed-{sources.Count}", line[2..].Trim()));
        }
        var xml = new StringBuilder();
        xml.AppendLine("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
        xml.AppendLine("<configuration>");
        xml.AppendLine($"  <config><add key=\"globalPackagesFolder\" value=\"{SecurityElement.Escape(Path.Combine(sdk.Root, "nuget-packages"))}\" /></config>");
        xml.AppendLine("  <packageSources>");
        xml.AppendLine("    <clear />");
        foreach (var (key, value) in sources)
            xml.AppendLine($"    <add key=\"{key}\" value=\"{SecurityElement.Escape(value)}\" />");
        xml.AppendLine("  </packageSources>");
        xml.AppendLine("  <packageSourceMapping>");
        xml.AppendLine("    <packageSource key=\"kmesh-packed\"><package pattern=\"Kmesh.*\" /></packageSource>");
        foreach (var (key, _) in sources.Skip(1))
            xml.AppendLine($"    <packageSource key=\"{key}\"><package pattern=\"*\" /></packageSource>");
        xml.AppendLine("  </packageSourceMapping>");
        xml.AppendLine("</configuration>");
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), xml.ToString());
    }

    private const string MeshConfig = """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: "127.31.0.10", port_value: 8080 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: web
                  cluster: web
          clusters:
          - name: web
            type: STATIC
            lb_policy: ROUND_ROBIN
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.1.1", port_value: 8080 } } }
                - endpoint: { address: { socket_address: { address: "127.0.1.2", port_value: 8080 } } }
        """;
}
