using Kmesh.Core.Datapath;
using Kmesh.Core.Hosting;
using Kmesh.Sdk.Abi;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Kmesh.Admin.Endpoints;

/// <summary><c>/plugins</c> and <c>/maps</c>: the chain, each plugin's state and counters, and its maps' contents.</summary>
internal sealed class PluginsEndpoint(IServiceProvider daemon)
{
    private const int DefaultLimit = 1000;

    public IResult List() => Results.Json(Documents(), AdminJson.Options);

    /// <summary>The chain as <c>/plugins</c> shows it (also the config dump's kmesh section).</summary>
    public IReadOnlyList<object> Documents()
    {
        var datapath = daemon.GetRequiredService<DatapathHost>();
        if (!datapath.Started)
            return [];
        var errors = daemon.GetRequiredService<DaemonStatus>().Current?.PluginErrors ?? new Dictionary<string, string>();
        var plugins = new List<object>();
        foreach (var status in datapath.Datapath.Statuses)
        {
            var member = datapath.Datapath.Plugins.FirstOrDefault(p => p.Name == status.Name);
            if (member is null)
            {
                plugins.Add(new PluginDocument(status.Name, status.Version, null, "left_out", status.Detail, [], new Dictionary<string, ulong>(), []));
                continue;
            }
            var isolated = errors.TryGetValue(member.Name, out var error);
            plugins.Add(new PluginDocument(member.Name, member.Version, member.Abi, isolated ? "isolated" : "active", isolated ? error : null,
                member.Slots.OrderBy(s => s.Key).Select(s => new HookSlot(s.Key.ManifestName(), s.Value)).ToList(),
                member.ReadCounters().ToDictionary(c => c.Key, c => c.Value),
                member.MapNames));
        }
        return plugins;
    }

    public IResult Maps(string plugin)
    {
        if (Find(plugin) is not { } member)
            return NoPlugin(plugin);
        var maps = member.MapNames.Select(name => member.Map(name)).OfType<Kmesh.Bpf.BpfMap>().Select(MapDump.Describe).ToList();
        return Results.Json(maps, AdminJson.Options);
    }

    public IResult Entries(string plugin, string map, HttpRequest request)
    {
        var limit = DefaultLimit;
        var text = request.Query["limit"].ToString();
        if (text.Length > 0 && (!int.TryParse(text, out limit) || limit <= 0))
            return Results.Text($"limit '{text}' is not a positive number\n", statusCode: StatusCodes.Status400BadRequest);
        if (Find(plugin) is not { } member)
            return NoPlugin(plugin);
        if (member.Map(map) is not { } bpfMap)
            return Results.Text($"plugin {plugin} has no map '{map}'; it has: {string.Join(", ", member.MapNames)}\n", statusCode: StatusCodes.Status404NotFound);
        return Results.Json(MapDump.Read(plugin, bpfMap, limit), AdminJson.Options);
    }

    private ActivePlugin? Find(string plugin)
    {
        var datapath = daemon.GetRequiredService<DatapathHost>();
        return datapath.Started ? datapath.Datapath.Plugins.OfType<ActivePlugin>().FirstOrDefault(p => p.Name == plugin) : null;
    }

    private IResult NoPlugin(string plugin)
    {
        var datapath = daemon.GetRequiredService<DatapathHost>();
        var names = datapath.Started ? string.Join(", ", datapath.Datapath.Plugins.Select(p => p.Name)) : "none yet";
        return Results.Text($"no plugin '{plugin}' in the chain; the chain: {names}\n", statusCode: StatusCodes.Status404NotFound);
    }

    private sealed record PluginDocument(string Name, string Version, string? Abi, string State, string? Reason,
        IReadOnlyList<HookSlot> Hooks, IReadOnlyDictionary<string, ulong> Counters, IReadOnlyList<string> Maps);

    private sealed record HookSlot(string Hook, int Slot);
}
