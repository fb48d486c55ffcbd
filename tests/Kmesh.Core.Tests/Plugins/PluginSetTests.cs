using Kmesh.Core.Plugins;

namespace Kmesh.Core.Tests.Plugins;

public sealed class PluginSetTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kmesh-set-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string Plugins => Path.Combine(_root, "plugins");

    private string Plugin(string name, string version = "1.2.0", string? under = null)
    {
        var folder = Path.Combine(under ?? Plugins, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "kmesh-plugin.json"), $$"""
            { "name": "{{name}}", "version": "{{version}}", "abi": "1.0", "assembly": "{{name}}.dll",
              "object": "{{name}}.bpf.o", "hooks": ["connect4"] }
            """);
        File.WriteAllText(Path.Combine(folder, $"{name}.dll"), $"assembly of {name}");
        File.WriteAllText(Path.Combine(folder, $"{name}.bpf.o"), $"object of {name}");
        return folder;
    }

    private PluginSet Set(string yaml)
    {
        var path = Path.Combine(_root, "plugins.yaml");
        File.WriteAllText(path, yaml);
        return PluginSet.Load(path);
    }

    private string Hash(string name, string file) => PluginSetResolver.Sha256(Path.Combine(Plugins, name, file));

    [Fact]
    public void Resolve_MatchingSet_GivesTheChainInTheSetsOrder()
    {
        Plugin("routing");
        Plugin("loadbalance");
        var set = Set($"""
            allowedDirectories: [plugins]
            plugins:
              - name: loadbalance
                version: ^1.0
                sha256: {"{"} assembly: {Hash("loadbalance", "loadbalance.dll")}, object: {Hash("loadbalance", "loadbalance.bpf.o")} {"}"}
              - name: routing
                version: ">=1.2.0 <2.0.0"
            """);

        var chain = PluginSetResolver.Resolve(set, PluginCatalog.Discover([Plugins]));

        Assert.Equal(["loadbalance", "routing"], chain.Select(p => p.Manifest.Name));
    }

    [Fact]
    public void Resolve_ObjectWithAnotherHash_IsRefusedNamingTheFileAndBothHashes()
    {
        Plugin("routing");
        var approved = Hash("routing", "routing.bpf.o");
        File.AppendAllText(Path.Combine(Plugins, "routing", "routing.bpf.o"), "tampered");
        var set = Set($"plugins:\n  - name: routing\n    sha256: {{ object: {approved} }}\n");

        var error = Assert.Throws<PluginSelectionException>(() => PluginSetResolver.Resolve(set, PluginCatalog.Discover([Plugins])));

        Assert.Contains("routing.bpf.o", error.Message);
        Assert.Contains(approved, error.Message);
        Assert.Contains(Hash("routing", "routing.bpf.o"), error.Message);
        Assert.Contains("plugins.yaml:2", error.Message);
    }

    [Fact]
    public void Resolve_PluginOutsideTheAllowedDirectories_IsRefused()
    {
        var elsewhere = Path.Combine(_root, "elsewhere");
        Plugin("routing", under: elsewhere);
        var set = Set("allowedDirectories: [plugins]\nplugins:\n  - name: routing\n");

        var error = Assert.Throws<PluginSelectionException>(() => PluginSetResolver.Resolve(set, PluginCatalog.Discover([elsewhere])));

        Assert.Contains("outside the allowed directories", error.Message);
    }

    [Fact]
    public void Resolve_SymlinkIntoTheAllowedDirectoryPointingOutside_IsRefused()
    {
        var elsewhere = Path.Combine(_root, "elsewhere");
        var real = Plugin("routing", under: elsewhere);
        Directory.CreateDirectory(Plugins);
        Directory.CreateSymbolicLink(Path.Combine(Plugins, "routing"), real);
        var set = Set("allowedDirectories: [plugins]\nplugins:\n  - name: routing\n");

        var error = Assert.Throws<PluginSelectionException>(() => PluginSetResolver.Resolve(set, PluginCatalog.Discover([Plugins])));

        Assert.Contains("outside the allowed directories", error.Message);
    }

    [Fact]
    public void Resolve_VersionOutsideTheRange_AndAMissingPlugin_AreBothReported()
    {
        Plugin("routing", version: "2.0.0");
        var set = Set("plugins:\n  - name: routing\n    version: ^1.0\n  - name: ratelimit\n");

        var error = Assert.Throws<PluginSelectionException>(() => PluginSetResolver.Resolve(set, PluginCatalog.Discover([Plugins])));

        Assert.Contains("version 2.0.0 is not in the accepted range ^1.0", error.Message);
        Assert.Contains("plugin ratelimit: not found", error.Message);
    }

    [Theory]
    [InlineData("plugins:\n  - name: a\n    colour: red\n", ":3", "unknown key 'colour'")]
    [InlineData("plugins:\n  - name: a\n    sha256: { object: abc }\n", ":3", "64 hex digits")]
    [InlineData("plugins:\n  - name: a\n  - name: a\n", ":3", "listed twice")]
    [InlineData("plugins:\n  - name: a\n    version: one\n", ":3", "not a version or range")]
    [InlineData("plugins: []\n", "", "lists no plugin")]
    public void Load_BadFile_NamesTheLineAndTheProblem(string yaml, string line, string expected)
    {
        var error = Assert.Throws<FormatException>(() => Set(yaml));

        Assert.Contains($"plugins.yaml{line}", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData("1.2.3", "1.2.3", true)]
    [InlineData("1.2.3", "1.2.4", false)]
    [InlineData("^1.2", "1.9.0", true)]
    [InlineData("^1.2", "1.1.9", false)]
    [InlineData("^1.2", "2.0.0", false)]
    [InlineData("^0.3", "0.3.5", true)]
    [InlineData("^0.3", "0.4.0", false)]
    [InlineData("~1.2.3", "1.2.9", true)]
    [InlineData("~1.2.3", "1.3.0", false)]
    [InlineData("1.x", "1.7.2", true)]
    [InlineData("1.x", "2.0.0", false)]
    [InlineData(">=1.0.0 <2.0.0", "1.99.0", true)]
    [InlineData(">=1.0.0 <2.0.0", "2.0.0", false)]
    [InlineData(">=1.0.0", "1.0.0-rc.1", false)]
    [InlineData("*", "7.0.0", true)]
    public void VersionRange_Contains(string range, string version, bool expected)
    {
        Assert.True(SemanticVersion.TryParse(version, out var parsed));
        Assert.Equal(expected, VersionRange.Parse(range).Contains(parsed));
    }
}
