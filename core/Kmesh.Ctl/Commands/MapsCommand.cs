using System.CommandLine;
using System.Globalization;
using Kmesh.Ctl.Documents;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl.Commands;

/// <summary>
/// <c>kmesh ctl maps PLUGIN [MAP]</c>: a plugin's BPF maps (<c>GET /maps/{plugin}</c>) or one
/// map's entries decoded through its BTF (<c>GET /maps/{plugin}/{map}?limit=N</c>).
/// </summary>
internal static class MapsCommand
{
    public static Command Create(CtlContext context)
    {
        var plugin = new Argument<string>("PLUGIN") { Description = "the plugin whose maps to show" };
        var map = new Argument<string?>("MAP") { Description = "one map: show its entries", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int?>("--limit")
        {
            Description = "at most N entries (the daemon's default: 1000)",
            HelpName = "N",
        };
        limit.Validators.Add(result =>
        {
            // Read the token: a value that is not a number already has the parser's error.
            if (result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, out var n) && n < 1)
                result.AddError("--limit must be at least 1");
        });
        var format = CtlOptions.OutputFormat();
        var command = new Command("maps", "a plugin's BPF maps, or one map's entries") { plugin, map, limit, format };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var pluginName = parse.GetValue(plugin)!;
            var mapName = parse.GetValue(map);
            var path = "maps/" + Uri.EscapeDataString(pluginName);
            if (mapName is not null)
            {
                path += "/" + Uri.EscapeDataString(mapName);
                if (parse.GetValue(limit) is { } n)
                    path += "?limit=" + n.ToString(CultureInfo.InvariantCulture);
            }
            var json = await admin.GetAsync(path, ct);
            if (context.Output.Resolve(parse.GetValue(format)) == OutputFormat.Json)
                context.Output.WriteJson(json);
            else if (mapName is null)
                WriteList(context.Output, AdminJson.Read<List<MapSummary>>(json, "/" + path));
            else
                WriteEntries(context.Output, AdminJson.Read<MapContents>(json, "/" + path));
            return 0;
        });
        return command;
    }

    private static void WriteList(CtlOutput output, IReadOnlyList<MapSummary> maps)
    {
        var table = Tables.Create("MAP", "TYPE", "KEY", "VALUE", "ENTRIES", "CAPACITY", "FILL");
        foreach (var map in maps)
        {
            table.AddTextRow(
                map.Name,
                map.Type,
                $"{map.KeySize} B",
                $"{map.ValueSize} B",
                map.Entries.ToString(CultureInfo.InvariantCulture),
                map.MaxEntries.ToString(CultureInfo.InvariantCulture),
                map.MaxEntries > 0 ? ((double)map.Entries / map.MaxEntries).ToString("0.#%", CultureInfo.InvariantCulture) : "");
        }
        output.Write(table);
    }

    private static void WriteEntries(CtlOutput output, MapContents contents)
    {
        var items = contents.Items ?? [];
        var table = Tables.Create("KEY", "VALUE");
        foreach (var item in items)
            table.AddTextRow(CompactJson.Render(item.Key), CompactJson.Render(item.Value));
        output.Write(table);
        var shown = contents.Truncated ? $"{items.Count} shown (truncated; --limit N for more)" : $"{items.Count} shown";
        output.WriteLine($"{contents.Plugin}/{contents.Map} ({contents.Type}): {contents.Entries} of {contents.MaxEntries} entries, {shown}");
    }
}
