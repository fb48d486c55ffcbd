using System.Net;
using Kmesh.Admin.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Kmesh.Admin;

/// <summary>How the admin API is wired into the daemon's host.</summary>
public static class AdminServices
{
    /// <summary>
    /// Adds the admin HTTP API on <paramref name="endpoint"/>. Add it before the daemon's services:
    /// hosted services start in order, so <c>/ready</c> and <c>/healthz</c> answer (503) while the
    /// chain loads, and a port that cannot be bound stops the start before the kernel is touched.
    /// </summary>
    public static IServiceCollection AddKmeshAdmin(this IServiceCollection services, IPEndPoint endpoint)
    {
        services.TryAddSingleton<KmeshMetrics>();
        services.AddSingleton(new AdminEndpoint(endpoint));
        services.AddSingleton<AdminServer>();
        services.AddHostedService(sp => sp.GetRequiredService<AdminServer>());
        return services;
    }
}

/// <summary>Where the admin API is asked to listen.</summary>
/// <param name="Address">Address and port (port 0: any free one, said in the log).</param>
public sealed record AdminEndpoint(IPEndPoint Address);
