using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Core.Mesh;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// One parsed file through the chain, as the daemon would run it: the snapshot (endpoints by
/// discovery type), then every translator; then each item of the file is judged.
/// </summary>
internal static class FileTranslation
{
    public static FileResult Run(string path, ConfigInventory inventory, IReadOnlyList<CheckPlugin> plugins, CheckOptions options)
    {
        var reports = new TranslationReports();
        var resources = SnapshotInput(inventory);
        var dns = DnsNames.Resolve(resources, options.ResolveDns, reports);
        var builderFindings = new List<TranslationDiagnostic>();
        var snapshot = SnapshotBuilder.Build(resources, resources.VersionInfo ?? "", dns, new StableMeshIds(), builderFindings);
        reports.Add(builderFindings, CheckSources.Kmesh);

        var failures = new List<string>();
        foreach (var plugin in plugins)
        {
            var output = new TranslationOutput();
            try
            {
                plugin.Translator.Translate(snapshot, output);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // As in the daemon: a translator that throws contributes nothing.
                failures.Add($"plugin {plugin.Name}: its translator threw {e.GetType().Name}: {e.Message}");
                continue;
            }
            reports.Add(output.Diagnostics, plugin.Name);
            reports.Add(output.Facts, plugin.Name);
        }

        var results = OutcomeJudge.Judge(inventory.Entries, reports, resources, plugins.Select(p => p.Name).ToList());
        var problem = failures.Count == 0 ? null : new FileProblem($"{path}: {string.Join("; ", failures)}");
        return new FileResult(path, failures.Count == 0 ? FileStatus.Checked : FileStatus.PluginFailed, inventory.Shape, problem,
            results, reports.Leftovers());
    }

    /// <summary>
    /// The resources translators see. An unnamed listener is given the name the check reports it
    /// by, so that two of them do not share one; an unnamed resource of another type is invalid
    /// in Envoy and is left out (the judge rejects it).
    /// </summary>
    private static EnvoyResources SnapshotInput(ConfigInventory inventory)
    {
        var read = inventory.Entries.Where(e => e.Resource is not null).ToList();
        var listeners = read.Where(e => e.Kind == ConfigEntryKind.Listener).Select(e =>
        {
            var listener = (Listener)e.Resource!;
            if (listener.Name.Length > 0)
                return listener;
            var named = listener.Clone();
            named.Name = ResourceLabels.NameOf(e);
            return named;
        }).ToList();
        return new EnvoyResources(
            listeners,
            Named<Cluster>(read, ConfigEntryKind.Cluster),
            Named<ClusterLoadAssignment>(read, ConfigEntryKind.ClusterLoadAssignment),
            Named<RouteConfiguration>(read, ConfigEntryKind.RouteConfiguration),
            inventory.Resources.VersionInfo);
    }

    private static List<T> Named<T>(List<ConfigEntry> read, ConfigEntryKind kind) where T : IMessage =>
        read.Where(e => e.Kind == kind && e.Name.Length > 0).Select(e => (T)e.Resource!).ToList();
}
