using Envoy.Config.Cluster.V3;

namespace Kmesh.Xds.Tests;

/// <summary>
/// <see cref="EnvoyConfigFile.Inventory"/>: every item of a file accounted for, a resource that
/// does not parse refused on its own, what is not read skipped with why.
/// </summary>
public class InventoryTests
{
    [Fact]
    public void ResourceThatDoesNotParse_IsRefusedAlone_TheOthersAreRead()
    {
        const string text = """
            resources:
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: good
              connect_timeout: 1s
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: typo
              lb_polcy: RANDOM
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: also-good
            """;

        var inventory = EnvoyConfigFile.Inventory("mesh.yaml", text);

        Assert.Equal(["good", "typo", "also-good"], inventory.Entries.Select(e => e.Name));
        Assert.Equal(["good", "also-good"], inventory.Resources.Clusters.Select(c => c.Name));
        var refused = inventory.Entries[1];
        Assert.Equal(ConfigEntryKind.Cluster, refused.Kind);
        Assert.Null(refused.Resource);
        Assert.Equal((7, "resources[1].lb_polcy"), (refused.Error!.Line, refused.Error.FieldPath));
        Assert.Contains("unknown field 'lb_polcy'", refused.Error.Message);
        // The daemon's reading is unchanged: the same file fails as a whole, at the same place.
        var strict = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml", text));
        Assert.Equal(refused.Error.Message, strict.Message);
    }

    [Fact]
    public void DuplicateName_TheSecondIsRefused()
    {
        var inventory = EnvoyConfigFile.Inventory("mesh.yaml", """
            - name: web
              connect_timeout: 1s
            - name: web
              connect_timeout: 2s
            """);

        Assert.NotNull(inventory.Entries[0].Resource);
        Assert.Contains("duplicate cluster name 'web': defined at line 1 and again at line 3", inventory.Entries[1].Error!.Message);
    }

    [Fact]
    public void Bootstrap_OtherFieldsAndSecrets_AreSkippedWithWhy()
    {
        var inventory = EnvoyConfigFile.Inventory("envoy.yaml", """
            admin:
              address: { socket_address: { address: 127.0.0.1, port_value: 9901 } }
            static_resources:
              clusters:
              - name: web
              secrets:
              - name: server-cert
            layered_runtime: {}
            """);

        Assert.Equal("bootstrap", inventory.Shape);
        Assert.Equal(
            [(ConfigEntryKind.BootstrapField, "admin", 1), (ConfigEntryKind.Cluster, "web", 5), (ConfigEntryKind.Secret, "server-cert", 7), (ConfigEntryKind.BootstrapField, "layered_runtime", 8)],
            inventory.Entries.Select(e => (e.Kind, e.Name, e.Line)));
        Assert.Contains("admin interface", inventory.Entries[0].SkipReason);
        Assert.Contains("TLS", inventory.Entries[2].SkipReason);
        Assert.Contains("runtime", inventory.Entries[3].SkipReason);
    }

    [Fact]
    public void ResourceList_UnknownAndOtherXdsTypes_AreSkippedWithTheirWarning()
    {
        var inventory = EnvoyConfigFile.Inventory("mesh.yaml", """
            resources:
            - "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret
              name: cert
            - "@type": type.googleapis.com/acme.Widget
              name: w
            """);

        Assert.Equal([ConfigEntryKind.Secret, ConfigEntryKind.UnknownResource], inventory.Entries.Select(e => e.Kind));
        Assert.All(inventory.Entries, e => Assert.Equal(e.SkipReason, Assert.Single(e.Warnings).Message));
        Assert.Equal("type.googleapis.com/acme.Widget", inventory.Entries[1].TypeUrl);
    }

    [Fact]
    public void UnknownExtensionType_ItsWarningBelongsToItsResource()
    {
        var inventory = EnvoyConfigFile.Inventory("mesh.yaml", """
            - name: plain
            - name: filtered
              filters:
              - name: istio.metadata_exchange
                typed_config:
                  "@type": type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange
            """);

        Assert.Empty(inventory.Entries[0].Warnings);
        var warning = Assert.Single(inventory.Entries[1].Warnings);
        Assert.Equal("[1].filters[0].typed_config", warning.FieldPath);
        Assert.IsType<Cluster>(inventory.Entries[1].Resource);
    }

    [Fact]
    public void ConfigDump_InactiveStatesAndOtherSections_AreSkippedWithWhy()
    {
        var inventory = EnvoyConfigFile.Inventory("dump.json", """
            { "configs": [
              { "@type": "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump", "bootstrap": {} },
              { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
                "dynamic_listeners": [
                  { "name": "web",
                    "active_state": { "listener": { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", "name": "web" } },
                    "warming_state": { "listener": { "@type": "type.googleapis.com/envoy.config.listener.v3.Listener", "name": "web" } } },
                  { "name": "broken", "error_state": { "details": "bad" } } ] },
              { "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
                "dynamic_warming_clusters": [ { "cluster": { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "slow" } } ] }
            ] }
            """);

        Assert.Equal("config dump", inventory.Shape);
        Assert.Equal(
        [
            (ConfigEntryKind.ConfigDumpSection, "BootstrapConfigDump", false),
            (ConfigEntryKind.Listener, "web", true),
            (ConfigEntryKind.Listener, "web", false),
            (ConfigEntryKind.Listener, "broken", false),
            (ConfigEntryKind.Cluster, "slow", false),
        ], inventory.Entries.Select(e => (e.Kind, e.Name, e.Resource is not null)));
        Assert.Equal("configs[1].dynamic_listeners[0].warming_state", inventory.Entries[2].FieldPath);
        Assert.Contains("warming", inventory.Entries[2].SkipReason);
        Assert.Contains("refused", inventory.Entries[3].SkipReason);
        Assert.Contains("warming", inventory.Entries[4].SkipReason);
    }

    [Theory]
    [InlineData("""{ "workloads": [], "services": [] }""", true)]
    [InlineData("just text", true)]
    [InlineData("static_resources: { listners: [] }", false)]
    [InlineData("a: [", false)]
    public void DocumentLevelProblems_FailTheFile_SayingWhetherItIsEnvoyConfigAtAll(string text, bool notEnvoy)
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Inventory("file.json", text));

        Assert.Equal(notEnvoy, ex.NotEnvoyConfig);
    }
}
