using Kmesh.Core.Plugins;

namespace Kmesh.Core.Tests.Plugins;

public sealed class PluginCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kmesh-catalog-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Plugin(string folder, string name, int order, string abi = "1.0", string version = "1.0.0", string hooks = "\"connect4\"")
    {
        var path = Path.Combine(_root, folder);
        Directory.CreateDirectory(path);
        File.WriteAllText(Path.Combine(path, "kmesh-plugin.json"), $$"""
            {
              "name": "{{name}}", "version": "{{version}}", "abi": "{{abi}}",
              "assembly": "{{name}}.dll", "object": "{{name}}.bpf.o",
              "hooks": [{{hooks}}], "order": {{order}}
            }
            """);
        return path;
    }

    [Fact]
    public void Discover_DefaultChain_FollowsManifestOrder()
    {
        Plugin("b", "loadbalance", 900);
        Plugin("a", "routing", 100);
        Plugin("c", "ratelimit", 300);

        var catalog = PluginCatalog.Discover([_root]);

        Assert.Equal(["routing", "ratelimit", "loadbalance"], catalog.Plugins.Select(p => p.Manifest.Name));
        Assert.Empty(catalog.Problems);
    }

    [Fact]
    public void Select_ExplicitList_KeepsTheOperatorsOrder()
    {
        Plugin("a", "routing", 100);
        Plugin("b", "loadbalance", 900);

        var chosen = PluginCatalog.Discover([_root]).Select(["loadbalance", "routing"]);

        Assert.Equal(["loadbalance", "routing"], chosen.Select(p => p.Manifest.Name));
    }

    [Fact]
    public void Select_UnknownPlugin_NamesWhatWasFound()
    {
        Plugin("a", "routing", 100);

        var error = Assert.Throws<PluginSelectionException>(() => PluginCatalog.Discover([_root]).Select(["routing", "nope"]));

        Assert.Contains("'nope'", error.Message);
        Assert.Contains("routing", error.Message);
    }

    [Theory]
    [InlineData("1.0", "one", "\"connect4\"", "not a semantic version")]
    [InlineData("x", "1.0.0", "\"connect4\"", "major.minor")]
    [InlineData("1.0", "1.0.0", "\"sendmsg4\"", "hook 'sendmsg4' is unknown")]
    [InlineData("1.0", "1.0.0", "\"connect4\", \"sockops\"", "hook 'sockops' needs chain ABI 1.1 or newer, but abi is '1.0'")]
    public void Discover_BrokenManifest_IsAProblemNotACrash(string abi, string version, string hooks, string expected)
    {
        Plugin("bad", "bad", 1, abi, version, hooks);
        Plugin("good", "routing", 100);

        var catalog = PluginCatalog.Discover([_root]);

        Assert.Equal(["routing"], catalog.Plugins.Select(p => p.Manifest.Name));
        Assert.Contains(catalog.Problems, p => p.Contains(expected) && p.Contains("kmesh-plugin.json"));
    }

    [Fact]
    public void Discover_SameNameTwice_KeepsTheFirstAndSaysSo()
    {
        var first = Plugin("a", "routing", 100);
        Plugin("b", "routing", 100);

        var catalog = PluginCatalog.Discover([_root]);

        Assert.Equal(first, Assert.Single(catalog.Plugins).Folder);
        Assert.Contains(catalog.Problems, p => p.Contains("same name"));
    }

    [Fact]
    public void Discover_HttpFiltersAreReadAndAbsentOnesAreAnEmptyList()
    {
        var declaring = Plugin("a", "faultinject", 100);
        File.WriteAllText(Path.Combine(declaring, "kmesh-plugin.json"), File.ReadAllText(Path.Combine(declaring, "kmesh-plugin.json"))
            .Replace("\"order\"", "\"httpFilters\": [\"envoy.extensions.filters.http.fault.v3.HTTPFault\"], \"order\""));
        Plugin("b", "routing", 200);

        var catalog = PluginCatalog.Discover([_root]);

        Assert.Equal(["envoy.extensions.filters.http.fault.v3.HTTPFault"], catalog.Plugins[0].Manifest.HttpFilters);
        Assert.Empty(catalog.Plugins[1].Manifest.HttpFilters);
    }

    [Fact]
    public void Discover_MissingDirectory_IsReported()
    {
        var catalog = PluginCatalog.Discover([Path.Combine(_root, "absent")]);

        Assert.Empty(catalog.Plugins);
        Assert.Contains(catalog.Problems, p => p.Contains("does not exist"));
    }
}
