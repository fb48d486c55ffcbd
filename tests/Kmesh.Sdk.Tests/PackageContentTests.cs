using System.IO.Compression;
using System.Xml.Linq;

namespace Kmesh.Sdk.Tests;

/// <summary>What ./kmesh pack puts in each package.</summary>
[Collection(PackedSdkCollection.Name)]
public sealed class PackageContentTests(PackedSdk sdk)
{
    [Fact]
    public void KmeshSdk_HasTheContract_TheHeader_AndTheBuildTargets()
    {
        using var package = ZipFile.OpenRead(sdk.Package("Kmesh.Sdk"));
        AssertHas(package, "lib/net10.0/Kmesh.Sdk.dll", "lib/net10.0/Kmesh.Sdk.xml", "include/kmesh/chain.h",
            "build/Kmesh.Sdk.props", "build/Kmesh.Sdk.targets", "build/Kmesh.Sdk.Bpf.targets",
            "build/Kmesh.Sdk.Plugin.targets", "build/Kmesh.Sdk.Version.props");
        Assert.Equal(File.ReadAllText(Path.Combine(RepoPaths.Root, "sdk", "include", "kmesh", "chain.h")), Read(package, "include/kmesh/chain.h"));
        Assert.Equal([("Kmesh.Envoy.Api", RepoPaths.SdkVersion)], Dependencies(package));
    }

    [Fact]
    public void KmeshEnvoyApi_HasTheEnvoyTypes()
    {
        using var package = ZipFile.OpenRead(sdk.Package("Kmesh.Envoy.Api"));
        AssertHas(package, "lib/net10.0/Kmesh.Envoy.Api.dll", "lib/net10.0/Kmesh.Envoy.Api.xml");
    }

    [Fact]
    public void KmeshSdkTesting_ShipsTheAgent_TheDaemon_TheBundledPlugins_AndKmeshBpf()
    {
        using var package = ZipFile.OpenRead(sdk.Package("Kmesh.Sdk.Testing"));
        AssertHas(package, "lib/net10.0/Kmesh.Sdk.Testing.dll", "lib/net10.0/Kmesh.Sdk.Testing.xml", "build/Kmesh.Sdk.Testing.targets",
            // MapLayout reads BTF with Kmesh.Bpf's BtfLayout: the assembly travels in lib, it is no package of its own.
            "lib/net10.0/Kmesh.Bpf.dll",
            "tools/agent/kmesh-sandbox-agent.dll", "tools/agent/kmesh-sandbox-agent.runtimeconfig.json",
            "tools/kmesh/kmesh.dll", "tools/kmesh/kmesh.runtimeconfig.json", "tools/kmesh/connect.bpf.o", "tools/kmesh/getpeername.bpf.o",
            "tools/plugins/routing/kmesh-plugin.json", "tools/plugins/routing/routing.bpf.o", "tools/plugins/routing/Kmesh.Plugins.Routing.dll",
            "tools/plugins/loadbalance/kmesh-plugin.json", "tools/plugins/loadbalance/loadbalance.bpf.o");
        // The agent and Kmesh.Bpf travel inside the package; Kmesh.Bpf's own dependency is the package's.
        Assert.Equal(["Microsoft.Extensions.Logging.Abstractions", "xunit.extensibility.core"], Dependencies(package).Select(d => d.Id).Order());
    }

    [Fact]
    public void KmeshTemplates_IsATemplatePackage_NamingThePackedSdkVersion()
    {
        using var package = ZipFile.OpenRead(sdk.Package("Kmesh.Templates"));
        AssertHas(package, "content/kmesh-plugin/.template.config/template.json", "content/kmesh-plugin/Directory.Build.props",
            "content/kmesh-plugin/src/Kmesh.PluginTemplate/kmesh-plugin-template.bpf.c",
            "content/kmesh-plugin/src/Kmesh.PluginTemplate/PortDenyMaps.cs",
            "content/kmesh-plugin/test/Kmesh.PluginTemplate.Tests/MapLayoutTests.cs");
        Assert.Contains($"<KmeshSdkVersion>{RepoPaths.SdkVersion}</KmeshSdkVersion>", Read(package, "content/kmesh-plugin/Directory.Build.props"));
        var nuspec = Nuspec(package);
        Assert.Contains(nuspec.Descendants(), e => e.Name.LocalName == "packageType" && (string?)e.Attribute("name") == "Template");
    }

    private static void AssertHas(ZipArchive package, params string[] paths)
    {
        var entries = package.Entries.Select(e => e.FullName).ToHashSet();
        var missing = paths.Where(p => !entries.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"missing {string.Join(", ", missing)}; the package holds: {string.Join(", ", entries.Order())}");
    }

    private static string Read(ZipArchive package, string path)
    {
        using var reader = new StreamReader(package.GetEntry(path)!.Open());
        return reader.ReadToEnd();
    }

    private static XDocument Nuspec(ZipArchive package)
    {
        using var stream = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open();
        return XDocument.Load(stream);
    }

    private static List<(string Id, string Version)> Dependencies(ZipArchive package) =>
        Nuspec(package).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string)e.Attribute("id")!, (string)e.Attribute("version")!)).ToList();
}
