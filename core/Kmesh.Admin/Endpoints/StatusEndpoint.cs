using Kmesh.Core.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/status</c>: the node at a glance, what <c>kmesh ctl status</c> shows (docs/admin-api.md).</summary>
internal sealed class StatusEndpoint(IServiceProvider daemon)
{
    public IResult Get()
    {
        var status = daemon.GetRequiredService<DaemonStatus>();
        var options = daemon.GetRequiredService<DaemonOptions>();
        var time = daemon.GetRequiredService<TimeProvider>();
        var datapath = daemon.GetRequiredService<DatapathHost>();
        var current = status.Current;
        var xds = status.Xds;
        var adoption = datapath.Started ? datapath.Datapath.Adoption : null;
        var document = new StatusDocument(
            status.Readiness.Ready,
            status.Readiness.Reasons,
            status.Readiness.NotesOrEmpty,
            Math.Round((time.GetUtcNow() - status.StartedAt).TotalSeconds, 3),
            options.CgroupPath,
            options.PinFolder,
            new SourceDocument(
                xds is null ? "file" : "xds",
                status.SourceDescription,
                xds?.Connected,
                xds is null ? (current is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["file"] = current.Version }) : xds.AcceptedVersions,
                xds?.LastNack is { } nack ? new NackDocument(nack.Type, nack.At, nack.Detail) : null),
            new ConfigDocument(
                current?.Version,
                current?.AppliedAt,
                current?.Resources.Listeners.Count ?? 0,
                current?.Resources.Clusters.Count ?? 0,
                current?.Resources.Endpoints.Count ?? 0,
                current?.Resources.Routes.Count ?? 0),
            adoption is null ? null : new AdoptedDocument(adoption.PinFolder, adoption.Previous, adoption.Switched, adoption.Waiting, adoption.Carried, adoption.Renewed),
            datapath.Started
                ? datapath.Datapath.Statuses.Select(p => new ChainEntry(p.Name, p.Version, Abi(datapath, p.Name), p.Active, p.Detail)).ToList()
                : [],
            Waypoint(options));
        return Results.Json(document, AdminJson.Options);
    }

    private WaypointDocument? Waypoint(DaemonOptions options)
    {
        if (options.Waypoint is null || daemon.GetService<WaypointHealth>() is not { } health)
            return null;
        var (state, detail, since) = health.Last;
        return new WaypointDocument(options.Waypoint.ToString(), options.WaypointAdmin.ToString(), state.ToString().ToLowerInvariant(), detail, since);
    }

    private static string? Abi(DatapathHost datapath, string plugin) => datapath.Datapath.Plugins.FirstOrDefault(p => p.Name == plugin)?.Abi;

    private sealed record StatusDocument(bool Ready, IReadOnlyList<string> Reasons, IReadOnlyList<string> Notes, double UptimeSeconds, string Cgroup, string PinFolder,
        SourceDocument Source, ConfigDocument Config, AdoptedDocument? Adopted, IReadOnlyList<ChainEntry> Chain, WaypointDocument? Waypoint);

    /// <param name="State">unknown, ready, notready or unreachable.</param>
    private sealed record WaypointDocument(string Address, string Admin, string State, string Detail, DateTimeOffset Since);

    private sealed record AdoptedDocument(string PinFolder, string Previous, bool Switched, IReadOnlyList<string> Waiting, IReadOnlyList<string> Carried, IReadOnlyList<string> Renewed);

    private sealed record SourceDocument(string Kind, string Description, bool? Connected, IReadOnlyDictionary<string, string> Versions, NackDocument? LastNack);

    private sealed record NackDocument(string Type, DateTimeOffset At, string Detail);

    private sealed record ConfigDocument(string? Version, DateTimeOffset? AppliedAt, int Listeners, int Clusters, int Endpoints, int Routes);

    private sealed record ChainEntry(string Name, string Version, string? Abi, bool Active, string Detail);
}
