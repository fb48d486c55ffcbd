using System.CommandLine;
using Kmesh.Ctl.Documents;
using Kmesh.Ctl.Output;

namespace Kmesh.Ctl.Commands;

/// <summary><c>kmesh ctl plugins</c>: the chain as <c>GET /plugins</c> describes it.</summary>
internal static class PluginsCommand
{
    public static Command Create(CtlContext context)
    {
        var format = CtlOptions.OutputFormat();
        var command = new Command("plugins", "each plugin: version, ABI, state (and why), hooks and slots, counters") { format };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var json = await admin.GetAsync("plugins", ct);
            if (context.Output.Resolve(parse.GetValue(format)) == OutputFormat.Json)
            {
                context.Output.WriteJson(json);
                return 0;
            }
            var table = Tables.Create("NAME", "VERSION", "ABI", "STATE", "REASON", "HOOKS", "COUNTERS");
            foreach (var plugin in AdminJson.Read<List<PluginDocument>>(json, "/plugins"))
            {
                table.AddTextRow(
                    plugin.Name,
                    plugin.Version,
                    plugin.Abi,
                    plugin.State,
                    plugin.Reason ?? "",
                    string.Join(" ", (plugin.Hooks ?? []).Select(h => $"{h.Hook}:{h.Slot}")),
                    string.Join(" ", (plugin.Counters ?? new Dictionary<string, System.Text.Json.JsonElement>())
                        .Select(c => $"{c.Key}={c.Value.GetRawText()}")));
            }
            context.Output.Write(table);
            return 0;
        });
        return command;
    }
}
