using System.Text;
using Kmesh.Envoy.Api;
using Kmesh.Xds.Sources;
using Kmesh.Xds.Tests.Ads;
using Kmesh.Xds.Tests.Hostile;

namespace Kmesh.Xds.Tests;

/// <summary>
/// The file source's re-read (<see cref="IncrementalFileReader"/>): of a changed resource list only
/// the changed items are parsed, the others are handed on as the same objects, and the result is
/// always what a whole parse of the file says — lines, warnings, errors included.
/// </summary>
public sealed class IncrementalFileReaderTests : IDisposable
{
    private const int Services = 1000;
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-incremental-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A resource list of <paramref name="services"/> EDS clusters and their assignments; <paramref name="edit"/> may change one service's text.</summary>
    private static string Mesh(int services = Services, Func<int, string, string>? edit = null, string version = "v1")
    {
        var text = new StringBuilder($"version_info: {version}\nresources:\n");
        for (var i = 0; i < services; i++)
        {
            var item = $"""
                - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
                  name: svc-{i}
                  type: EDS
                  eds_cluster_config: {"{"} eds_config: {"{"} ads: {"{}"} {"}"} {"}"}
                - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
                  cluster_name: svc-{i}
                  endpoints:
                  - lb_endpoints:
                    - endpoint: {"{"} address: {"{"} socket_address: {"{"} address: 10.0.{i / 250}.{i % 250}, port_value: 8080 {"}"} {"}"} {"}"}

                """;
            text.Append(edit?.Invoke(i, item) ?? item);
        }
        return text.ToString();
    }

    /// <summary>Everything a whole parse of <paramref name="text"/> says, <paramref name="incremental"/> says too.</summary>
    internal static void AssertSameAsWholeParse(EnvoyResources incremental, string text)
    {
        var whole = EnvoyConfigFile.Parse("mesh.yaml", text);
        Assert.Equal(whole.Clusters, incremental.Clusters);
        Assert.Equal(whole.Endpoints, incremental.Endpoints);
        Assert.Equal(whole.Listeners, incremental.Listeners);
        Assert.Equal(whole.Routes, incremental.Routes);
        Assert.Equal(whole.VersionInfo, incremental.VersionInfo);
        Assert.Equal(whole.ResourceLines.OrderBy(p => p.Key), incremental.ResourceLines.OrderBy(p => p.Key));
        Assert.Equal(whole.ResourceVersions.OrderBy(p => p.Key), incremental.ResourceVersions.OrderBy(p => p.Key));
        Assert.Equal(whole.Warnings, incremental.Warnings);
    }

    [Fact]
    public void OneEndpointEdit_ParsesOnlyThatItem_AndKeepsEveryOtherObject()
    {
        var reader = new IncrementalFileReader("mesh.yaml");
        var first = reader.Read(Mesh());
        Assert.Equal((2 * Services, 2 * Services), (reader.LastParsed, reader.LastTotal));

        var edited = Mesh(edit: (i, item) => i == 500 ? item.Replace("port_value: 8080", "port_value: 9090") : item);
        var second = reader.Read(edited);

        Assert.Equal((1, 2 * Services), (reader.LastParsed, reader.LastTotal));
        Assert.False(reader.LastWhole);
        for (var i = 0; i < Services; i++)
        {
            Assert.Same(first.Clusters[i], second.Clusters[i]);
            if (i != 500)
                Assert.Same(first.Endpoints[i], second.Endpoints[i]);
        }
        Assert.NotSame(first.Endpoints[500], second.Endpoints[500]);
        Assert.Equal(9090u, second.Endpoints[500].Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        AssertSameAsWholeParse(second, edited);
    }

    [Fact]
    public void AnEarlierItemGrowing_MovesTheLinesOfTheUnchangedOnesAfterIt()
    {
        var reader = new IncrementalFileReader("mesh.yaml");
        var before = reader.Read(Mesh());
        // Two more lines (a comment and an endpoint) in service 10's assignment.
        var edited = Mesh(edit: (i, item) => i == 10
            ? item + "    # a second endpoint\n    - endpoint: { address: { socket_address: { address: 10.9.9.9, port_value: 8080 } } }\n"
            : item);
        var after = reader.Read(edited);

        Assert.Equal(1, reader.LastParsed);
        Assert.Same(before.Clusters[999], after.Clusters[999]);
        Assert.Equal(before.LineOf(EnvoyTypes.Cluster, "svc-999") + 2, after.LineOf(EnvoyTypes.Cluster, "svc-999"));
        Assert.Equal(before.LineOf(EnvoyTypes.Cluster, "svc-5"), after.LineOf(EnvoyTypes.Cluster, "svc-5"));
        AssertSameAsWholeParse(after, edited);
    }

    [Fact]
    public void ABadEdit_IsRefusedWithItsLineInTheFile_AndTheLastGoodItemsStay()
    {
        var reader = new IncrementalFileReader("mesh.yaml");
        var good = reader.Read(Mesh(100));
        var bad = Mesh(100, (i, item) => i == 60 ? item.Replace("port_value: 8080", "port_valu: 8080") : item);
        var error = Assert.Throws<ConfigParseException>(() => reader.Read(bad));
        var whole = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml", bad));
        Assert.Equal(whole.Message, error.Message);

        // A name defined twice (service 61's cluster renamed to 60's): refused as the whole parse refuses it.
        var duplicate = Mesh(100, (i, item) => i == 61 ? item.Replace("name: svc-61", "name: svc-60") : item);
        error = Assert.Throws<ConfigParseException>(() => reader.Read(duplicate));
        Assert.Equal(Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml", duplicate)).Message, error.Message);

        // The next good edit is read against the last good file: one item parsed.
        var next = reader.Read(Mesh(100, (i, item) => i == 7 ? item.Replace("8080", "8081") : item));
        Assert.Equal(1, reader.LastParsed);
        Assert.Same(good.Clusters[60], next.Clusters[60]);
    }

    [Fact]
    public void WarningsOfReusedItems_CarryTheirLinesAndIndexesInTheFile()
    {
        const string unknown = """
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: inbound
              address: { socket_address: { address: 0.0.0.0, port_value: 15006 } }
              filter_chains:
              - filters:
                - name: istio.metadata_exchange
                  typed_config:
                    "@type": type.googleapis.com/unknown.Filter

            """;
        var reader = new IncrementalFileReader("mesh.yaml");
        reader.Read(Mesh(50) + unknown);
        // Service 3 gains a line: the listener's warning (reused, not parsed) moves one line and keeps its index.
        var edited = Mesh(50, (i, item) => i == 3 ? "# service three\n" + item : item) + unknown;
        var after = reader.Read(edited);

        Assert.Equal(1, reader.LastParsed);
        Assert.Single(after.Warnings);
        AssertSameAsWholeParse(after, edited);
    }

    [Fact]
    public void AFirstReadOfManyItems_ParsedInParts_ReadsAsTheWholeFile_WarningsAndErrorsIncluded()
    {
        // 3 000 services (6 000 items, and 5 listeners with a warning each, in different parts).
        static string Listener(int i) => $"""
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: inbound-{i}
              address: {"{"} socket_address: {"{"} address: 0.0.0.0, port_value: {15000 + i} {"}"} {"}"}
              filter_chains:
              - filters:
                - name: istio.metadata_exchange
                  typed_config:
                    "@type": type.googleapis.com/unknown.Filter

            """;
        var text = Mesh(3000, (i, item) => i % 700 == 0 ? item + Listener(i) : item);
        var reader = new IncrementalFileReader("mesh.yaml");
        var first = reader.Read(text);

        Assert.False(reader.LastWhole);
        Assert.Equal((6005, 6005), (reader.LastParsed, reader.LastTotal));
        Assert.Equal(5, first.Warnings.Count);
        AssertSameAsWholeParse(first, text);

        // A bad item deep in a large first read: refused with the whole parse's error and line.
        var bad = Mesh(3000, (i, item) => i == 2500 ? item.Replace("port_value: 8080", "port_valu: 8080") : item);
        var error = Assert.Throws<ConfigParseException>(() => new IncrementalFileReader("mesh.yaml").Read(bad));
        Assert.Equal(Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml", bad)).Message, error.Message);
        Assert.Contains("port_valu", error.Message);
    }

    private static string Bootstrap(int services, Func<int, string, string>? editCluster = null, Func<int, string, string>? editListener = null)
    {
        var text = new StringBuilder("# a bootstrap, as examples/mesh.yaml\nstatic_resources:\n  listeners:\n");
        for (var i = 0; i < services; i++)
        {
            var item = $"""
                  # listener {i}
                  - name: svc-{i}
                    address: {"{"} socket_address: {"{"} address: 10.1.{i / 250}.{i % 250}, port_value: 80 {"}"} {"}"}
                    filter_chains:
                    - filters:
                      - name: envoy.filters.network.tcp_proxy
                        typed_config:
                          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                          stat_prefix: svc-{i}
                          cluster: svc-{i}

                """;
            text.Append(editListener?.Invoke(i, item) ?? item);
        }
        text.Append("  clusters:\n");
        for (var i = 0; i < services; i++)
        {
            var item = $"""
                  - name: svc-{i}
                    type: STATIC
                    load_assignment:
                      cluster_name: svc-{i}
                      endpoints:
                      - lb_endpoints:
                        - endpoint: {"{"} address: {"{"} socket_address: {"{"} address: 10.0.{i / 250}.{i % 250}, port_value: 8080 {"}"} {"}"} {"}"}

                """;
            text.Append(editCluster?.Invoke(i, item) ?? item);
        }
        return text.ToString();
    }

    [Fact]
    public void ABootstrap_IsReadItemByItem_AsTheWholeFileReads_InBothLists()
    {
        // 300 services: 600 items, so that the first read is in parts (of 128) that mix the two lists.
        var reader = new IncrementalFileReader("mesh.yaml");
        var text = Bootstrap(300);
        var first = reader.Read(text);
        Assert.Equal((600, 600, false), (reader.LastParsed, reader.LastTotal, reader.LastWhole));
        AssertSameAsWholeParse(first, text);

        // One endpoint: one cluster item, every other resource the same object.
        var edited = Bootstrap(300, editCluster: (i, item) => i == 200 ? item.Replace("port_value: 8080", "port_value: 9090") : item);
        var second = reader.Read(edited);
        Assert.Equal((1, 600, false), (reader.LastParsed, reader.LastTotal, reader.LastWhole));
        AssertSameAsWholeParse(second, edited);
        Assert.Equal(299, first.Clusters.Zip(second.Clusters).Count(p => ReferenceEquals(p.First, p.Second)));
        Assert.Equal(first.Listeners, second.Listeners, ReferenceEqualityComparer.Instance);

        // A listener grows by lines and gains a warning: the clusters' lines move, the warning has the file's line and listeners[i].
        var grown = Bootstrap(300, editCluster: (i, item) => i == 200 ? item.Replace("port_value: 8080", "port_value: 9090") : item, editListener: (i, item) => i == 7
            ? item + "    listener_filters:\n    - name: envoy.filters.listener.tls_inspector\n      typed_config:\n        \"@type\": type.googleapis.com/unknown.Filter\n"
            : item);
        var third = reader.Read(grown);
        Assert.Equal(1, reader.LastParsed);
        AssertSameAsWholeParse(third, grown);
        Assert.NotEmpty(third.Warnings);
        Assert.All(third.Warnings, w => Assert.StartsWith("listeners[7]", w.FieldPath, StringComparison.Ordinal));

        // Only clusters (the listeners' key without items), and only listeners: one list each.
        var clustersOnly = "static_resources:\n  listeners:\n" + Bootstrap(3)[Bootstrap(3).IndexOf("  clusters:", StringComparison.Ordinal)..];
        var onlyClusters = new IncrementalFileReader("mesh.yaml");
        AssertSameAsWholeParse(onlyClusters.Read(clustersOnly), clustersOnly);
        Assert.Equal((3, false), (onlyClusters.LastParsed, onlyClusters.LastWhole));
        var listenersOnly = Bootstrap(3)[..Bootstrap(3).IndexOf("  clusters:", StringComparison.Ordinal)] + "  clusters:\n";
        var onlyListeners = new IncrementalFileReader("mesh.yaml");
        AssertSameAsWholeParse(onlyListeners.Read(listenersOnly), listenersOnly);
        Assert.Equal((3, false), (onlyListeners.LastParsed, onlyListeners.LastWhole));
    }

    [Theory]
    [InlineData("admin:\n  address: { socket_address: { address: 127.0.0.1, port_value: 9901 } }\n")] // another top-level key: recorded as skipped
    [InlineData("  secrets:\n  - name: cert\n")]                                                       // secrets: Envoy's own, recorded as skipped
    public void ABootstrapWithMoreThanListenersAndClusters_IsParsedWhole(string extra)
    {
        var text = Bootstrap(3) + extra;
        var reader = new IncrementalFileReader("mesh.yaml");
        AssertSameAsWholeParse(reader.Read(text), text);
        Assert.True(reader.LastWhole);
        var reversed = "static_resources:\n" + Bootstrap(3)[Bootstrap(3).IndexOf("  clusters:", StringComparison.Ordinal)..]
            + Bootstrap(3)[Bootstrap(3).IndexOf("  listeners:", StringComparison.Ordinal)..Bootstrap(3).IndexOf("  clusters:", StringComparison.Ordinal)];
        reader.Read(reversed);
        Assert.True(reader.LastWhole);
    }

    [Fact]
    public void AChangedFrame_OrAnotherShape_IsParsedWhole()
    {
        var reader = new IncrementalFileReader("mesh.yaml");
        reader.Read(Mesh(20));
        var second = reader.Read(Mesh(20, version: "v2"));
        Assert.Equal(40, reader.LastParsed); // the version around the items changed: every item again
        Assert.Equal("v2", second.VersionInfo);

        // A bootstrap with another key than static_resources (here node) is another shape.
        const string bootstrap = """
            node: { id: sidecar }
            static_resources:
              clusters:
              - name: web
                type: STATIC
                load_assignment: { cluster_name: web, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 80 } } } } ] } ] }
            """;
        var read = reader.Read(bootstrap);
        Assert.True(reader.LastWhole);
        AssertSameAsWholeParse(read, bootstrap);
    }

    [Fact]
    public async Task WatchedFile_OneEdit_OffersTheUnchangedResourcesAsTheSameObjects()
    {
        var path = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(path, Mesh(200));
        await using var source = new FileConfigSource(path, new ListLogger());
        var initial = source.Initial!;
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(sink, stop.Token);

        File.WriteAllText(path + ".tmp", Mesh(200, (i, item) => i == 42 ? item.Replace("8080", "8443") : item));
        File.Move(path + ".tmp", path, overwrite: true);
        var update = await sink.NextAsync();

        Assert.Equal(1, source.Reader.LastParsed);
        Assert.Equal(initial.Resources.Clusters, update.Resources.Clusters, ReferenceEqualityComparer.Instance);
        Assert.Equal(199, initial.Resources.Endpoints.Zip(update.Resources.Endpoints).Count(p => ReferenceEquals(p.First, p.Second)));
        Assert.NotEqual(initial.Version, update.Version);

        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Items_AreSlicesOfTheText_ThatPutTogetherAreTheText(string newline)
    {
        // The last item without its newline, and a top-level key after the list.
        var text = Mesh(20).Replace("\n", newline) + "extra: 1";
        var split = ResourceItems.TrySplit(text)!;

        Assert.Equal(40, split.Items.Count);
        foreach (var item in split.Items)
        {
            // Not a copy: the item's memory is the file's text itself.
            Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetString(item, out var owner, out _, out _));
            Assert.Same(text, owner);
            Assert.StartsWith("- ", item.ToString());
        }
        Assert.Equal(text, split.Prefix + string.Concat(split.Items.Select(i => i.ToString())) + split.Suffix);
        Assert.Equal(ResourceItems.Hash(split.Items[3].ToString()), ResourceItems.Hash(split.Items[3].Span));
    }

    [Fact]
    public async Task WatchedFile_RewrittenWithTheSameBytes_IsNotReadAgain()
    {
        var path = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(path, Mesh(50));
        await using var source = new FileConfigSource(path, new ListLogger());
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(sink, stop.Token);

        // The same content renamed over the file, then a real edit: only the edit is offered.
        File.WriteAllText(path + ".tmp", Mesh(50));
        File.Move(path + ".tmp", path, overwrite: true);
        await Task.Delay(400);
        File.WriteAllText(path + ".tmp", Mesh(50, (i, item) => i == 7 ? item.Replace("8080", "8443") : item));
        File.Move(path + ".tmp", path, overwrite: true);
        var update = await sink.NextAsync();

        Assert.Equal(8443u, update.Resources.Endpoints[7].Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        Assert.False(sink.TryNext(out _));
        await stop.CancelAsync();
        await run;
    }
}
