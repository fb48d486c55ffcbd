using Kmesh.Plugins.Accelerate;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>Who opts out of same-node acceleration: services and clusters by metadata, workloads by cgroup.</summary>
public class AccelerateTranslatorTests
{
    private static TranslationOutput Translate(Kmesh.Sdk.Snapshot.MeshSnapshot snapshot, PluginArguments? arguments = null)
    {
        var translator = new AccelerateTranslator();
        translator.Configure(arguments ?? PluginArguments.None);
        var output = new TranslationOutput();
        translator.Translate(snapshot, output);
        return output;
    }

    private static string WithMetadata(string value) => $$"""
        { "name": "c", "type": "STATIC", "metadata": { "filter_metadata": { "kmesh": { "accelerate": {{value}} } } } }
        """;

    [Theory]
    [InlineData("false", true)]
    [InlineData("\"false\"", true)]
    [InlineData("true", false)]
    public void ClusterMetadata_AccelerateFalse_OptsTheClusterOut(string value, bool optedOut)
    {
        var snapshot = new SnapshotBuilder().Cluster(Cluster(WithMetadata(value))).Build();

        var output = Translate(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(optedOut, output.Declared<uint, byte>("acc_optout_clusters").TryGet(snapshot.Ids.ClusterId("c"), out _));
        Assert.Equal(optedOut, output.Facts.Any(f => f.Resource == ResourceRef.Cluster("c") && f.Detail.Contains("acceleration off")));
    }

    [Fact]
    public void ListenerMetadata_AccelerateFalse_OptsTheServiceOut()
    {
        var listener = TcpProxyListener("web", "10.0.0.1", 80, "c");
        listener.Metadata = new() { FilterMetadata = { ["kmesh"] = new() { Fields = { ["accelerate"] = Google.Protobuf.WellKnownTypes.Value.ForBool(false) } } } };
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translate(snapshot);

        Assert.True(output.Declared<uint, byte>("acc_optout_services").TryGet(snapshot.Ids.ServiceId("web"), out _));
    }

    [Fact]
    public void MetadataNotABoolean_IsAnErrorNamingTheField()
    {
        var snapshot = new SnapshotBuilder().Cluster(Cluster(WithMetadata("42"))).Build();

        var output = Translate(snapshot);

        Assert.Equal("metadata.filter_metadata.kmesh.accelerate", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster c", "true or false").Field);
    }

    [Fact]
    public void ExcludedCgroup_IsWrittenByItsId()
    {
        var arguments = new PluginArguments(new Dictionary<string, IReadOnlyList<string>> { ["exclude-cgroup"] = ["/sys/fs/cgroup/unified"] });

        var output = Translate(new SnapshotBuilder().Build(), arguments);

        var id = Kmesh.Sdk.Abi.CgroupIds.Of("/sys/fs/cgroup/unified");
        Assert.True(output.Declared<ulong, byte>("acc_optout_cgroups").TryGet(id, out _));
        Assert.NotEqual(0ul, id);
    }

    [Theory]
    [InlineData("exclude-cgroup", "/no/such/cgroup", "does not exist")]
    [InlineData("exclude-cgrup", "/sys/fs/cgroup/unified", "unknown argument 'exclude-cgrup'")]
    public void BadArguments_AreRefusedWithTheReason(string key, string value, string expected)
    {
        var arguments = new PluginArguments(new Dictionary<string, IReadOnlyList<string>> { [key] = [value] });

        var error = Assert.Throws<ArgumentException>(() => new AccelerateTranslator().Configure(arguments));

        Assert.Contains(expected, error.Message);
    }
}
