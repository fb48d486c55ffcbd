using System.CommandLine;

namespace Kmesh.Ctl.Commands;

/// <summary><c>kmesh ctl metrics</c>: the Prometheus samples of <c>GET /metrics</c>, without the # HELP/# TYPE lines.</summary>
internal static class MetricsCommand
{
    public static Command Create(CtlContext context)
    {
        var filter = new Option<string?>("--filter")
        {
            Description = "keep only the samples whose line contains TEXT (a metric name, a label value...)",
            HelpName = "TEXT",
        };
        var command = new Command("metrics", "the daemon's Prometheus samples") { filter };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = context.Connect(parse);
            var text = await admin.GetAsync("metrics", ct);
            var wanted = parse.GetValue(filter);
            foreach (var line in Samples(text, wanted))
                context.Output.WriteLine(line);
            return 0;
        });
        return command;
    }

    internal static IEnumerable<string> Samples(string exposition, string? containing) =>
        exposition.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Where(line => containing is null || line.Contains(containing, StringComparison.Ordinal));
}
