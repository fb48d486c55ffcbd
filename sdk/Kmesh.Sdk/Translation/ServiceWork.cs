namespace Kmesh.Sdk.Translation;

/// <summary>
/// The services a plugin's connect programs have something configured for (chain ABI 1.4),
/// declared with <see cref="TranslationOutput.ConnectWork"/>. For every other service the
/// core marks the plugin's connect slots to be passed over (the routing plugin writes that
/// mask into each connect's context), so the plugin is not even tail-called for them. A
/// plugin that never declares this runs on every connect, as before.
/// </summary>
public sealed class ServiceWork
{
    private readonly HashSet<uint> _services = new();

    /// <summary>Says that the plugin's connect programs act on connects to <paramref name="serviceId"/>.</summary>
    public void Add(uint serviceId) => _services.Add(serviceId);

    /// <summary>The services added.</summary>
    public IReadOnlySet<uint> Services => _services;
}
