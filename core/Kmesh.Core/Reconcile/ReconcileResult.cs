namespace Kmesh.Core.Reconcile;

/// <summary>What one reconcile pass did.</summary>
/// <param name="Upserts">Entries written.</param>
/// <param name="Deletes">Entries removed.</param>
/// <param name="PluginErrors">Plugins whose maps were left as they were, with the reason.</param>
public sealed record ReconcileResult(int Upserts, int Deletes, IReadOnlyDictionary<string, string> PluginErrors)
{
    /// <summary>True when every plugin's desired state is now in the kernel.</summary>
    public bool Complete => PluginErrors.Count == 0;

    /// <summary>How long writing the kernel maps took (the update's translation not included).</summary>
    public TimeSpan Duration { get; init; }
}
