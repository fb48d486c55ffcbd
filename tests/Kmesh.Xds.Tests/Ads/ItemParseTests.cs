using Kmesh.Envoy.Api;
using Kmesh.Xds.Server;
using Kmesh.Xds.Tests.Hostile;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// <c>kmesh xds serve</c> parses only the changed items of a changed resource list (issue 16):
/// what it serves after each edit is what a server reading the directory afresh (every file
/// whole) serves, and a bad item is reported at its line in the file while the last good
/// content stays.
/// </summary>
public sealed class ItemParseTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-xds-items-").FullName;
    private readonly ListLogger _log = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Assignment(string cluster, int port, string indent = "") => $$"""
        {{indent}}- "@type": {{EnvoyTypes.ClusterLoadAssignment}}
        {{indent}}  cluster_name: {{cluster}}
        {{indent}}  endpoints:
        {{indent}}  - lb_endpoints:
        {{indent}}    - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: {{port}} } } }

        """;

    private static string Cluster(string name, string indent = "") => $$"""
        {{indent}}- "@type": {{EnvoyTypes.Cluster}}
        {{indent}}  name: {{name}}
        {{indent}}  # an EDS cluster
        {{indent}}  type: EDS
        {{indent}}  eds_cluster_config: { eds_config: { ads: {} } }

        """;

    private void Write(string text)
    {
        var path = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    /// <summary>Reads with <paramref name="directory"/> and checks it serves byte for byte what a fresh read of the directory serves.</summary>
    private DirectoryRead ReadAndCompare(ResourceDirectory directory)
    {
        var read = directory.Read();
        var fresh = new ResourceDirectory(_dir, _log).Read();
        foreach (var type in fresh.Resources.Keys)
        {
            Assert.Equal(fresh.Resources[type].Keys, read.Resources[type].Keys);
            foreach (var (name, resource) in fresh.Resources[type])
                Assert.Equal(resource.Body, read.Resources[type][name].Body);
        }
        return read;
    }

    [Fact]
    public void EditedItems_AreTheOnlyOnesParsed_AndServeWhatAWholeParseServes()
    {
        var directory = new ResourceDirectory(_dir, _log);
        Write("version_info: \"1\"\n# the mesh\nresources:\n" + Cluster("a") + Assignment("a", 80) + Cluster("b") + Assignment("b", 80));
        Assert.Equal(4, ReadAndCompare(directory).ResourcesParsed);

        // One endpoint moves: one resource parsed.
        Write("version_info: \"1\"\n# the mesh\nresources:\n" + Cluster("a") + Assignment("a", 81) + Cluster("b") + Assignment("b", 80));
        var moved = ReadAndCompare(directory);
        Assert.Equal(1, moved.ResourcesParsed);
        Assert.Equal(["a"], moved.Changes[EnvoyTypes.ClusterLoadAssignment]);

        // Items reordered, one removed, one added, the last without its newline: only the new one parsed.
        Write("version_info: \"1\"\n# the mesh\nresources:\n" + Assignment("b", 80) + Cluster("b") + Assignment("a", 81) + Cluster("c").TrimEnd('\n'));
        var reordered = ReadAndCompare(directory);
        Assert.Equal(1, reordered.ResourcesParsed);
        Assert.Equal([EnvoyTypes.Cluster], reordered.Changes.Keys);
        Assert.Equal(["a", "c"], reordered.Changes[EnvoyTypes.Cluster].Order(StringComparer.Ordinal));

        // What surrounds the items changed (indented list, a key after it): every item parsed again.
        Write("resources:\n" + Cluster("b", "  ") + Assignment("b", 82, "  ") + "version_info: \"2\"\n");
        var reframed = ReadAndCompare(directory);
        Assert.Equal(2, reframed.ResourcesParsed);
        Assert.Equal(["a", "b"], reframed.Changes[EnvoyTypes.ClusterLoadAssignment].Order(StringComparer.Ordinal)); // a gone, b moved

        Write("resources:\n" + Cluster("b", "  ") + Assignment("b", 83, "  ") + "version_info: \"2\"\n");
        Assert.Equal(1, ReadAndCompare(directory).ResourcesParsed);
    }

    [Fact]
    public void AFirstReadOfManyItems_ParsedInParts_ServesWhatAWholeParseServes_AndWarnsAtTheFilesLines()
    {
        // 600 items (parts of 128), and a listener with a warning deep in the file.
        const string listener = """
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: inbound
              address: { socket_address: { address: 0.0.0.0, port_value: 15006 } }
              filter_chains:
              - filters:
                - name: istio.metadata_exchange
                  typed_config:
                    "@type": type.googleapis.com/unknown.Filter

            """;
        var items = Enumerable.Range(0, 300).Select(i => Cluster($"c{i}") + Assignment($"c{i}", 80)).ToList();
        items.Insert(250, listener);
        var text = "resources:\n" + string.Concat(items);
        Write(text);
        var typedConfigLine = text[..text.IndexOf("\"@type\": type.googleapis.com/unknown.Filter", StringComparison.Ordinal)].Count(c => c == '\n') + 1;

        var first = ReadAndCompare(new ResourceDirectory(_dir, _log));

        Assert.Equal(601, first.ResourcesParsed);
        var warnings = _log.Lines.Where(l => l.Contains("unknown.Filter", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, warnings.Count); // the read's and ReadAndCompare's fresh one
        var warning = warnings[0];
        Assert.Equal(warning, warnings[1]);
        // As a whole parse places it: the file's line, and the listener's index in the file's list.
        Assert.Contains($"mesh.yaml:{typedConfigLine}:", warning);
        Assert.Contains("resources[500].filter_chains[0].filters[0].typed_config", warning);
    }

    [Fact]
    public void BadItem_KeepsTheLastGoodContent_AndIsReportedAtItsLineInTheFile()
    {
        var directory = new ResourceDirectory(_dir, _log);
        var head = "resources:\n" + Cluster("a") + Cluster("b");
        Write(head + Assignment("a", 80));
        directory.Read();

        // Line 14: the assignment's endpoints line, with a field ClusterLoadAssignment does not have.
        Write(head + Assignment("a", 80).Replace("  endpoints:", "  endpointz:", StringComparison.Ordinal));
        var bad = directory.Read();
        Assert.Empty(bad.Changes);
        Assert.Contains(_log.Lines, l => l.Contains("mesh.yaml:14:", StringComparison.Ordinal) && l.Contains("endpointz", StringComparison.Ordinal)
            && l.Contains("serving its last good content", StringComparison.Ordinal));

        // A second item naming cluster a: the file is refused as a whole parse refuses it, not served half.
        Write(head + Cluster("a") + Assignment("a", 81));
        var duplicate = directory.Read();
        Assert.Empty(duplicate.Changes);
        Assert.Contains(_log.Lines, l => l.Contains("duplicate", StringComparison.Ordinal) && l.Contains("'a'", StringComparison.Ordinal));

        Write(head + Assignment("a", 81));
        Assert.Equal(["a"], directory.Read().Changes[EnvoyTypes.ClusterLoadAssignment]);
    }

    [Fact]
    public void FileWithAnAnchor_IsAlwaysParsedWhole()
    {
        var directory = new ResourceDirectory(_dir, _log);
        string Mesh(int port) => "resources:\n" + Cluster("a") + $$"""
            - "@type": {{EnvoyTypes.ClusterLoadAssignment}}
              cluster_name: a
              endpoints: &eps [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: {{port}} } } } } ] } ]
            - "@type": {{EnvoyTypes.ClusterLoadAssignment}}
              cluster_name: b
              endpoints: *eps

            """;
        Write(Mesh(80));
        Assert.Equal(3, ReadAndCompare(directory).ResourcesParsed);

        // Changing the anchored item changes the item that refers to it, whose text did not change.
        Write(Mesh(81));
        var changed = ReadAndCompare(directory);
        Assert.Equal(3, changed.ResourcesParsed);
        Assert.Equal(["a", "b"], changed.Changes[EnvoyTypes.ClusterLoadAssignment].Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ItemsWhoseLinesTheCutCouldMisread_StillServeWhatAWholeParseServes()
    {
        var directory = new ResourceDirectory(_dir, _log);
        // A flow mapping continued on the next line (YAML refuses it at the list's own column, so one
        // space in), a comment at column 0 between items, a key after the list: an edit of another
        // item must serve what a whole parse of the file serves.
        string Mesh(int port) => "resources:\n" + $$"""
            - { "@type": {{EnvoyTypes.Cluster}}, name: a, type: EDS,
             eds_cluster_config: { eds_config: { ads: {} } } }
            # between items
            """ + "\n" + Assignment("a", port) + "version_info: \"3\"\n";
        Write(Mesh(80));
        var first = ReadAndCompare(directory);
        Assert.True(first.Resources[EnvoyTypes.Cluster].ContainsKey("a"), string.Join("\n", _log.Lines));
        Write(Mesh(81));
        Assert.Equal(1, ReadAndCompare(directory).ResourcesParsed);
        Write(Mesh(82));
        Assert.Equal(1, ReadAndCompare(directory).ResourcesParsed);
    }
}
