using System.CommandLine;
using Kmesh.Ctl.Commands;

namespace Kmesh.Ctl;

/// <summary>The command tree of <c>kmesh ctl</c>.</summary>
internal static class CtlCommandTree
{
    public static RootCommand Build(CtlContext context, Option<string> admin)
    {
        var root = new RootCommand("kmesh ctl: look at and steer a running kmesh daemon through its admin API")
        {
            StatusCommand.Create(context),
            ConfigDumpCommand.Create(context),
            MetricsCommand.Create(context),
            PluginsCommand.Create(context),
            MapsCommand.Create(context),
            LogCommand.Create(context),
            AccessLogCommand.Create(context),
        };
        root.Options.Add(admin);
        return root;
    }
}
