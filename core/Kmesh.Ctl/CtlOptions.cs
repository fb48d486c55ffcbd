using System.CommandLine;
using Kmesh.Ctl.Admin;

namespace Kmesh.Ctl;

/// <summary>Options several commands share, made fresh for each (an option belongs to one command).</summary>
internal static class CtlOptions
{
    public static Option<string> Admin()
    {
        var option = new Option<string>("--admin")
        {
            Description = "the daemon's admin API: host:port or http://host:port",
            HelpName = "ADDR",
            DefaultValueFactory = _ => AdminAddress.Default,
            Recursive = true,
        };
        option.Validators.Add(result =>
        {
            if (AdminAddress.TryParse(result.GetValueOrDefault<string>() ?? "", out var error) is null)
                result.AddError(error!);
        });
        return option;
    }

    public static Option<string?> OutputFormat()
    {
        var option = new Option<string?>("--output", "-o")
        {
            Description = "table or json (default: table on a terminal, json when piped)",
            HelpName = "table|json",
        };
        option.AcceptOnlyFromAmong("table", "json");
        return option;
    }
}
