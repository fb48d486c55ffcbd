using Kmesh.Core.Hosting;
using Kmesh.Core.Plugins;
using Kmesh.Daemon;
using Microsoft.Extensions.Logging;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(RunCommandLine.Usage);
    Console.WriteLine(PluginsCommand.Usage);
    Console.WriteLine(ConfigCommand.Usage);
    Console.WriteLine(UninstallCommand.Usage);
    Console.WriteLine(WaypointCommand.Usage);
    Console.WriteLine("usage: kmesh ctl COMMAND [--admin ADDR]   the operator CLI over a running daemon's admin API (kmesh ctl --help)");
    return args.Length == 0 ? 2 : 0;
}
if (args[0] == "ctl")
{
    using var ctlStop = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) => { e.Cancel = true; ctlStop.Cancel(); };
    return await Kmesh.Ctl.CtlCommand.RunAsync(args[1..], Console.Out, Console.Error, ctlStop.Token);
}
if (args[0] == "config")
{
    try
    {
        return ConfigCommand.Run(args[1..]);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"kmesh config: {e.Message}");
        Console.Error.WriteLine(ConfigCommand.Usage);
        return 2;
    }
}
if (args[0] == "plugins")
{
    try
    {
        return PluginsCommand.Run(args[1..]);
    }
    catch (Exception e) when (e is UsageException or PluginSelectionException or IOException)
    {
        Console.Error.WriteLine($"kmesh plugins: {e.Message}");
        Console.Error.WriteLine(PluginsCommand.Usage);
        return 2;
    }
}
if (args[0] == "uninstall")
{
    try
    {
        return UninstallCommand.Run(args[1..], Console.Out, Console.Error);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"kmesh uninstall: {e.Message}");
        Console.Error.WriteLine(UninstallCommand.Usage);
        return 2;
    }
}
if (args[0] == "waypoint")
{
    try
    {
        var (waypoint, waypointLevel) = WaypointCommand.Parse(args[1..]);
        return await WaypointCommand.RunAsync(waypoint, waypointLevel);
    }
    catch (UsageException e)
    {
        Console.Error.WriteLine($"kmesh waypoint: {e.Message}");
        Console.Error.WriteLine(WaypointCommand.Usage);
        return 2;
    }
}
if (args[0] != "run")
{
    Console.Error.WriteLine($"kmesh: unknown command '{args[0]}'");
    Console.Error.WriteLine(RunCommandLine.Usage);
    return 2;
}

DaemonOptions options;
LogLevel level;
try
{
    (options, level) = RunCommandLine.Parse(args[1..]);
    if (RunPreflight.Check(options) is { } problem)
        throw new UsageException(problem);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"kmesh run: {e.Message}");
    Console.Error.WriteLine(RunCommandLine.Usage);
    return 2;
}
return await DaemonHost.RunAsync(options, level);
