using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Waypoint;
using Kmesh.Waypoint.Routing;
using Kmesh.Xds;

namespace Kmesh.Waypoint.Extensions;

/// <summary>
/// The loaded L7 parts, configured anew for each configuration from the same snapshot shape the
/// translators get. What a plugin reports, and a plugin that throws (left out for that
/// configuration), join the table's findings, with the HTTP filters that nothing applies
/// (<see cref="UnappliedHttpFilters"/>).
/// </summary>
internal sealed class WaypointExtensions(IReadOnlyList<LoadedExtension> loaded) : IAsyncDisposable
{
    private readonly StableMeshIds _ids = new();

    public IReadOnlyList<string> Plugins => [.. loaded.Select(l => l.Plugin)];

    private readonly HashSet<string> _appliedFilters = [.. loaded.SelectMany(l => l.HttpFilters)];

    public WaypointTable Configure(WaypointTable table, EnvoyResources resources)
    {
        var snapshot = new MeshSnapshot(table.Version, resources.Listeners, resources.Clusters,
            resources.Endpoints.Select(e => KeyValuePair.Create(e.ClusterName, e)), resources.Routes, _ids);
        var findings = new List<WaypointFinding>(table.Findings);
        UnappliedHttpFilters.Report(snapshot, _appliedFilters, findings);
        if (loaded.Count == 0)
            return table with { Findings = findings };
        var filters = new List<(string, IWaypointFilter)>();
        foreach (var extension in loaded)
        {
            var report = new Report(findings);
            try
            {
                if (extension.Extension.Configure(snapshot, report) is { } filter)
                    filters.Add((extension.Plugin, filter));
            }
            catch (Exception e)
            {
                findings.Add(new WaypointFinding($"plugin {extension.Plugin}", "l7", $"its L7 part failed on this configuration and is left out: {e.Message}"));
            }
        }
        return table with { Findings = findings, Filters = filters };
    }

    public ValueTask DisposeAsync()
    {
        foreach (var extension in loaded)
            extension.Loader.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Report(List<WaypointFinding> findings) : IWaypointReport
    {
        public void NotHonoured(ResourceRef resource, string field, string message) => findings.Add(new WaypointFinding(resource, field, message));
    }
}
