using System.CommandLine;
using System.Globalization;
using Kmesh.Ctl.Documents;
using Kmesh.Ctl.Output;
using Spectre.Console;

namespace Kmesh.Ctl.Commands;

/// <summary><c>kmesh ctl status</c>: the node at a glance (<c>GET /status</c>).</summary>
internal static class StatusCommand
{
    public static Command Create(CtlContext context)
    {
        var format = CtlOptions.OutputFormat();
        var command = new Command("status", "ready or not and why, uptime, config source and versions, the applied config, the chain") { format };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var json = await admin.GetAsync("status", ct);
            if (context.Output.Resolve(parse.GetValue(format)) == OutputFormat.Json)
            {
                context.Output.WriteJson(json);
                return 0;
            }
            var status = AdminJson.Read<StatusDocument>(json, "/status");
            context.Output.Write(Facts(status));
            context.Output.WriteLine("");
            context.Output.Write(Chain(status.Chain ?? []));
            return 0;
        });
        return command;
    }

    private static Table Facts(StatusDocument status)
    {
        var facts = Tables.Create("", "");
        facts.ShowHeaders = false;
        facts.AddTextRow("Ready", status.Ready ? "yes" : "no");
        foreach (var reason in status.Reasons ?? [])
            facts.AddTextRow("  not ready", reason);
        facts.AddTextRow("Uptime", Durations.Format(TimeSpan.FromSeconds(status.UptimeSeconds)));
        if (status.Cgroup is not null)
            facts.AddTextRow("Cgroup", status.Cgroup);
        if (status.PinFolder is not null)
            facts.AddTextRow("Pin folder", status.PinFolder);
        if (status.Source is { } source)
        {
            facts.AddTextRow("Source", SourceLine(source));
            facts.AddTextRow("Source versions", Pairs(source.Versions));
            facts.AddTextRow("Last NACK", source.LastNack is { } nack
                ? $"{nack.Type} at {Timestamp(nack.At)}: {nack.Detail}"
                : "none");
        }
        if (status.Config is { } config)
        {
            facts.AddTextRow("Config version", config.AppliedAt is null ? "none applied yet" : $"{config.Version} applied {Timestamp(config.AppliedAt)}");
            facts.AddTextRow("Config", $"{config.Listeners} listeners, {config.Clusters} clusters, {config.Endpoints} endpoints, {config.Routes} routes");
        }
        return facts;
    }

    private static Table Chain(IReadOnlyList<ChainEntry> chain)
    {
        var table = Tables.Create("PLUGIN", "VERSION", "ABI", "ACTIVE", "DETAIL");
        foreach (var plugin in chain)
            table.AddTextRow(plugin.Name, plugin.Version, plugin.Abi, plugin.Active ? "yes" : "no", plugin.Detail);
        return table;
    }

    private static string SourceLine(SourceStatus source)
    {
        var line = $"{source.Kind} {source.Description}";
        return source.Connected switch
        {
            true => line + ", connected",
            false => line + ", NOT connected",
            null => line,
        };
    }

    private static string Pairs(IReadOnlyDictionary<string, string>? pairs) =>
        pairs is null || pairs.Count == 0 ? "none" : string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"));

    private static string Timestamp(DateTimeOffset? at) =>
        at?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "never";
}
