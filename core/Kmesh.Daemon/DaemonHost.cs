using System.Runtime.InteropServices;
using Kmesh.Admin;
using Kmesh.Bpf;
using Kmesh.Core.Hosting;
using Kmesh.Core.Plugins;
using Kmesh.Xds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Kmesh.Daemon;

/// <summary>
/// <c>kmesh run</c> on the .NET Generic Host: logging, the admin API, the daemon's services,
/// and the signals (SIGTERM/SIGINT stop it, SIGHUP reloads plugins).
/// </summary>
internal static partial class DaemonHost
{
    public static async Task<int> RunAsync(DaemonOptions options, LogLevel level)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Logging.AddKmeshConsole(new LogLevelSwitch(level));
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        if (options.Admin is { } admin)
            builder.Services.AddKmeshAdmin(admin);
        builder.Services.AddKmeshDaemon(options);

        using var host = builder.Build();
        var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("kmesh");
        BpfLogging.Use(host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("libbpf"));
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (e is ConfigParseException or PluginSelectionException or FormatException or BpfException or IOException
            or UnauthorizedAccessException or AdminStartException)
        {
            LogCouldNotStart(log, e.Message);
            await host.StopAsync();
            return 1;
        }
        // SIGHUP: pick up new plugin versions from the plugin directories (kmesh plugins reload).
        var loop = host.Services.GetRequiredService<UpdateLoop>();
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            loop.RequestPluginReload();
        });
        await host.WaitForShutdownAsync();
        return 0;
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Critical, Message = "kmesh could not start: {Reason}")]
    private static partial void LogCouldNotStart(ILogger logger, string reason);
}
