namespace Kmesh.Core.Hosting;

/// <summary>
/// A large configuration costs the daemon far more to parse and translate than to hold: at
/// 10 000 services most of what an update allocated is garbage sitting in gen 2 afterwards,
/// which the runtime keeps mapped. One aggressive, compacting collection after a large update
/// hands it back to the node, where a per-node daemon's footprint matters; small updates
/// never pay for it.
/// </summary>
internal static class MemoryRelief
{
    /// <summary>Resources (listeners, clusters, endpoint sets, routes) from which an update counts as large.</summary>
    public const int LargeUpdate = 2000;

    public static void AfterUpdate(int resources)
    {
        if (resources >= LargeUpdate)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
