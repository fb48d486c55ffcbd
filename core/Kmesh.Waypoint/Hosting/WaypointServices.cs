using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kmesh.Waypoint.Hosting;

/// <summary>Registers the waypoint on a Generic Host.</summary>
public static class WaypointServices
{
    public static IServiceCollection AddKmeshWaypoint(this IServiceCollection services, WaypointOptions options)
    {
        services.TryAddSingleton(options);
        services.AddHttpForwarder();
        services.TryAddSingleton<WaypointService>();
        services.AddHostedService(provider => provider.GetRequiredService<WaypointService>());
        return services;
    }
}
