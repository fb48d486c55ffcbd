using System.CommandLine;
using System.CommandLine.Help;
using Kmesh.Ctl.Commands;

namespace Kmesh.Ctl;

/// <summary>The command tree of <c>kmesh ctl</c>.</summary>
internal static class CtlCommandTree
{
    /// <summary>
    /// <c>kmesh</c> with one subcommand, <c>ctl</c>: parse <c>["ctl", ..args]</c>. The outer
    /// command only exists so that usage reads "kmesh ctl ..." (a name cannot hold a space, and a
    /// RootCommand would be named after whatever process hosts us).
    /// </summary>
    public static Command Build(CtlContext context, Option<string> admin)
    {
        var ctl = new Command("ctl", "look at and steer a running kmesh daemon through its admin API (docs/admin-api.md)")
        {
            StatusCommand.Create(context),
            ConfigDumpCommand.Create(context),
            MetricsCommand.Create(context),
            PluginsCommand.Create(context),
            MapsCommand.Create(context),
            LogCommand.Create(context),
            AccessLogCommand.Create(context),
        };
        ctl.Options.Add(admin);
        var kmesh = new Command("kmesh") { ctl };
        kmesh.Options.Add(new HelpOption());
        return kmesh;
    }
}
