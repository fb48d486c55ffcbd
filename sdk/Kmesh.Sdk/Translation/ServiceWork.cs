namespace Kmesh.Sdk.Translation;

/// <summary>
/// The services a plugin's connect programs have something configured for (chain ABI 1.4),
/// declared with <see cref="TranslationOutput.ConnectWork"/>. For every other service the
/// core marks the plugin's connect slots to be passed over (the routing plugin writes that
/// mask into each connect's context), so the plugin is not even tail-called for them. A
/// plugin that never declares this runs on every connect, as before.
/// </summary>
/// <remarks>
/// A plugin whose connect programs act per cluster (the circuit breaker's limits) declares the
/// clusters instead, with <see cref="AddCluster"/>: it then runs for a service when the service
/// has work or when any cluster the service's route may pick has. A route splitting traffic by
/// weight runs it for all its connects when one of its clusters has work (the mask is chosen
/// before the cluster is).
/// </remarks>
public sealed class ServiceWork
{
    private readonly HashSet<uint> _services = new();
    private readonly HashSet<uint> _clusters = new();

    /// <summary>Says that the plugin's connect programs act on connects to <paramref name="serviceId"/>.</summary>
    public void Add(uint serviceId) => _services.Add(serviceId);

    /// <summary>Says that the plugin's connect programs act on connects routed to <paramref name="clusterId"/>.</summary>
    public void AddCluster(uint clusterId) => _clusters.Add(clusterId);

    /// <summary>The services added.</summary>
    public IReadOnlySet<uint> Services => _services;

    /// <summary>The clusters added.</summary>
    public IReadOnlySet<uint> Clusters => _clusters;
}
