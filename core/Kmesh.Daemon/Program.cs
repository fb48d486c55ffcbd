using System.Runtime.InteropServices;
using Kmesh.Bpf;
using Kmesh.Core.Hosting;
using Kmesh.Core.Plugins;
using Kmesh.Daemon;
using Kmesh.Xds;
using Microsoft.Extensions.Logging;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(RunCommandLine.Usage);
    Console.WriteLine(PluginsCommand.Usage);
    Console.WriteLine(ConfigCommand.Usage);
    return args.Length == 0 ? 2 : 0;
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
}
catch (UsageException e)
{
    Console.Error.WriteLine($"kmesh run: {e.Message}");
    Console.Error.WriteLine(RunCommandLine.Usage);
    return 2;
}

using var loggerFactory = LoggerFactory.Create(builder => builder
    .SetMinimumLevel(level)
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss.fff ";
    }));
var log = loggerFactory.CreateLogger("kmesh");
BpfLogging.Use(loggerFactory.CreateLogger("libbpf"));

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });

MeshDaemon daemon;
try
{
    daemon = await MeshDaemon.StartAsync(options, log, stop.Token);
}
catch (Exception e) when (e is ConfigParseException or PluginSelectionException or FormatException or BpfException or IOException or UnauthorizedAccessException)
{
    log.LogCritical("kmesh could not start: {Reason}", e.Message);
    return 1;
}

// SIGHUP: pick up new plugin versions from the plugin directories (kmesh plugins reload).
using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; daemon.RequestPluginReload(); });
await using (daemon)
{
    await daemon.RunAsync(stop.Token);
    daemon.ReportPluginCounters();
    var stats = daemon.Datapath.ReadStats();
    log.LogInformation("Connect decisions: {Stats}", stats.Count == 0 ? "none" : string.Join(", ", stats.Select(s => $"{s.Key}={s.Value}")));
}
return 0;
