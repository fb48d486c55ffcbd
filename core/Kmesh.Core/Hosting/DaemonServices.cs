using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Kmesh.Core.Hosting;

/// <summary>How the daemon's parts are wired on the Generic Host.</summary>
public static class DaemonServices
{
    /// <summary>
    /// Registers the daemon: the config source, the kernel datapath, the update loop, DNS refresh
    /// and counter reports. Parts are added with TryAdd, so a test (or an embedding host) that
    /// registered its own <see cref="IDatapathFactory"/>, <see cref="IConfigSourceFactory"/> or
    /// <see cref="TimeProvider"/> first keeps it. Hosted services start in the order added here and
    /// stop in reverse: the datapath is attached before the loop writes to it and detached after.
    /// </summary>
    public static IServiceCollection AddKmeshDaemon(this IServiceCollection services, DaemonOptions options)
    {
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DaemonStatus>();
        services.TryAddSingleton<IDatapathFactory, ChainDatapathFactory>();
        services.TryAddSingleton<IConfigSourceFactory, ConfigSourceFactory>();
        services.TryAddSingleton<ConfigSourceHost>();
        services.TryAddSingleton<DatapathHost>();
        services.TryAddSingleton<UpdateLoop>();
        services.TryAddSingleton<DnsRefreshService>();
        services.TryAddSingleton<CountersReportService>();
        services.TryAddSingleton<Kmesh.Core.Telemetry.AccessLogHub>();
        services.TryAddSingleton<AccessLogService>();

        services.AddHostedService(sp => sp.GetRequiredService<DatapathHost>());
        services.AddHostedService(sp => sp.GetRequiredService<UpdateLoop>());
        services.AddHostedService(sp => sp.GetRequiredService<ConfigSourceHost>());
        services.AddHostedService(sp => sp.GetRequiredService<DnsRefreshService>());
        services.AddHostedService(sp => sp.GetRequiredService<CountersReportService>());
        services.AddHostedService(sp => sp.GetRequiredService<AccessLogService>());
        if (options.Waypoint is not null)
        {
            services.TryAddSingleton<WaypointHealth>();
            services.AddHostedService(sp => sp.GetRequiredService<WaypointHealth>());
        }
        return services;
    }
}
