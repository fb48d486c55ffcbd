namespace Kmesh.Core.Hosting;

/// <summary>
/// A large configuration costs the daemon far more to parse and translate than to hold: at
/// 10 000 services most of what an update allocated is garbage sitting in gen 2 afterwards,
/// which the runtime keeps mapped. One aggressive, compacting collection after a large update
/// hands it back to the node, where a per-node daemon's footprint matters. So does the first
/// update after a large one (a huge update reverted): what the large configuration held is
/// garbage only then. Small updates after small ones never pay for it.
/// </summary>
internal sealed class MemoryRelief
{
    /// <summary>Resources (listeners, clusters, endpoint sets, routes) from which an update counts as large.</summary>
    public const int LargeUpdate = 2000;

    private int _previous;

    public void AfterUpdate(int resources)
    {
        var collect = resources >= LargeUpdate || _previous >= LargeUpdate;
        _previous = resources;
        if (collect)
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
