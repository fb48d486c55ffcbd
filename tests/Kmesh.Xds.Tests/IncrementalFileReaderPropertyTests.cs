using CsCheck;
using Kmesh.Xds.Sources;

namespace Kmesh.Xds.Tests;

/// <summary>
/// Random edit sequences through one <see cref="IncrementalFileReader"/> (which parses only changed
/// items and may edit its last read in place) against a whole parse of each version of the file:
/// the same resources in the same order, lines, versions and warnings, or the same error. Both cuts:
/// a resource list and a bootstrap's static_resources.
/// </summary>
public sealed class IncrementalFileReaderPropertyTests
{
    private const int Services = 30;

    /// <summary>One edit: what (<c>Kind</c>), of which item (<c>Target</c>), with what (<c>Value</c>).</summary>
    private sealed record Edit(int Kind, int Target, int Value);

    private static readonly Gen<Edit[]> Edits =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 1000], Gen.Int[1, 60000], (kind, target, value) => new Edit(kind, target, value)).Array[1, 12];

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AnyEditSequence_ReadsAsTheWholeFile(bool bootstrap, bool throughFile)
    {
        var (inPlace, cutAgain) = (0, 0);
        Edits.Sample(edits =>
        {
            var (i, c) = Check(edits, bootstrap, throughFile);
            Interlocked.Add(ref inPlace, i); // (samples run on every CPU at once)
            Interlocked.Add(ref cutAgain, c);
        }, iter: 150);
        Assert.True(inPlace > 0, "no read edited the one before in place: the property did not reach that path");
        // Through a file, as the file source reads (FileText): only the items an edit touches are cut again.
        if (throughFile)
            Assert.True(cutAgain > 100, $"only {cutAgain} reads cut only the edited items: the property hardly reached that path");
    }

    /// <summary>Runs one sequence; returns how many reads edited the one before in place, and how many cut only the edited items again.</summary>
    private static (int InPlace, int CutAgain) Check(Edit[] edits, bool bootstrap, bool throughFile)
    {
        var items = Enumerable.Range(0, Services).Select(i => Item(bootstrap, $"s{i}", 8000 + i)).ToList();
        var reader = new IncrementalFileReader("mesh.yaml");
        using var file = throughFile ? new EditedFile() : null;
        Compare(reader, Text(items, bootstrap), file);
        var (inPlace, cutAgain) = (0, 0);
        foreach (var edit in edits)
        {
            Apply(items, edit, bootstrap);
            Compare(reader, Text(items, bootstrap), file);
            inPlace += reader.LastInPlace ? 1 : 0;
            cutAgain += reader.LastCut is null ? 0 : 1;
        }
        return (inPlace, cutAgain);
    }

    /// <summary>The file each version is written to, and the file source's reader of its text.</summary>
    private sealed class EditedFile : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-edited-").FullName;
        private readonly FileText _text;

        public EditedFile() => _text = new FileText(Path.Combine(_dir, "mesh.yaml"));

        public EnvoyResources Read(IncrementalFileReader reader, string text)
        {
            File.WriteAllText(Path.Combine(_dir, "mesh.yaml"), text);
            var (read, edit, _) = _text.Read();
            Assert.Equal(text, read.ToString());
            return reader.Read(read, edit);
        }

        public void Dispose() => Directory.Delete(_dir, recursive: true);
    }

    private static void Apply(List<string> items, Edit edit, bool bootstrap)
    {
        if (items.Count == 0)
        {
            items.Add(Item(bootstrap, "fresh", edit.Value));
            return;
        }
        var at = edit.Target % items.Count;
        switch (edit.Kind)
        {
            case 0: // an endpoint moves: same names, same lines (the usual edit)
            case 1:
            case 2:
                items[at] = System.Text.RegularExpressions.Regex.Replace(items[at], @"port_value: \d+", $"port_value: {edit.Value}");
                break;
            case 3: // a line more inside the item, after its first
                var indent = new string(' ', items[at].TakeWhile(c => c == ' ').Count() + 2);
                var firstBreak = items[at].IndexOf('\n', StringComparison.Ordinal);
                items[at] = items[at].Insert(firstBreak + 1, $"{indent}# note {edit.Value}\n");
                break;
            case 4: // renamed (a name defined twice when another has it)
                items[at] = System.Text.RegularExpressions.Regex.Replace(items[at], @"(name|cluster_name): s?\w+", $"$1: s{edit.Value % (Services + 5)}");
                break;
            case 5: // two items trade places
                var other = edit.Value % items.Count;
                (items[at], items[other]) = (items[other], items[at]);
                break;
            case 6: // removed
                items.RemoveAt(at);
                break;
            case 7: // added, with a warning (an extension of a type Kmesh does not know)
                items.Insert(at, Warned(bootstrap, $"w{edit.Value}"));
                break;
            case 8: // broken, then a later edit may mend it (or not)
                items[at] = items[at].Replace("port_value", "port_valu", StringComparison.Ordinal);
                break;
            default: // the same text twice
                items.Insert(at, items[edit.Value % items.Count]);
                break;
        }
    }

    private static void Compare(IncrementalFileReader reader, string text, EditedFile? file)
    {
        EnvoyResources Read() => file is null ? reader.Read(text) : file.Read(reader, text);
        try
        {
            EnvoyConfigFile.Parse("mesh.yaml", text);
        }
        catch (ConfigParseException expected)
        {
            var error = Assert.Throws<ConfigParseException>(Read);
            Assert.Equal(expected.Message, error.Message);
            return;
        }
        IncrementalFileReaderTests.AssertSameAsWholeParse(Read(), text);
    }

    private static string Text(List<string> items, bool bootstrap)
    {
        if (!bootstrap)
            return "version_info: v1\nresources:\n" + string.Concat(items);
        var clusters = items.Where(i => i.Contains("  type: STATIC", StringComparison.Ordinal));
        var listeners = items.Where(i => !i.Contains("  type: STATIC", StringComparison.Ordinal));
        return "static_resources:\n  listeners:\n" + string.Concat(listeners) + "  clusters:\n" + string.Concat(clusters);
    }

    /// <summary>A service: in a resource list a cluster item and its assignment item; in a bootstrap a STATIC cluster.</summary>
    private static string Item(bool bootstrap, string name, int port) => bootstrap
        ? $$"""
              - name: {{name}}
                type: STATIC
                load_assignment:
                  cluster_name: {{name}}
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: {{port}} } } }

            """
        : $$"""
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: {{name}}
              type: EDS
              eds_cluster_config: { eds_config: { ads: {} } }
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: {{name}}
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: {{port}} } } }

            """;

    /// <summary>A listener whose filter Kmesh does not know: read with a warning.</summary>
    private static string Warned(bool bootstrap, string name) => bootstrap
        ? $$"""
              - name: {{name}}
                address: { socket_address: { address: 0.0.0.0, port_value: 15006 } }
                filter_chains:
                - filters:
                  - name: istio.metadata_exchange
                    typed_config:
                      "@type": type.googleapis.com/unknown.Filter

            """
        : $$"""
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: {{name}}
              address: { socket_address: { address: 0.0.0.0, port_value: 15006 } }
              filter_chains:
              - filters:
                - name: istio.metadata_exchange
                  typed_config:
                    "@type": type.googleapis.com/unknown.Filter

            """;
}
