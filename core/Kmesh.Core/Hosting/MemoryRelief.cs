namespace Kmesh.Core.Hosting;

/// <summary>
/// A large configuration costs the daemon far more to parse and translate than to hold: at
/// 10 000 services most of what an update allocated is garbage sitting in gen 2 afterwards,
/// which the runtime keeps mapped. One aggressive, compacting collection after a large update
/// hands it back to the node, where a per-node daemon's footprint matters. So does the first
/// update after a large one (a huge update reverted): what the large configuration held is
/// garbage only then. Small updates after small ones never pay for it: "large" is what an update
/// built anew (the whole configuration; only the change set when the snapshot was derived from
/// the previous one and every plugin translated only that), so a one-endpoint change of a
/// 10 000-service mesh over delta ADS does not pay for a blocking collection of the whole heap
/// (~100 ms of CPU at that size) at every change, while a SotW push of it, which brings 10 000
/// new objects, still hands their garbage back (without it the daemon's RSS grew 293 → 507 MiB
/// over 10 such changes, bench/results/2026-12-06-scale16d.md).
/// </summary>
internal sealed class MemoryRelief
{
    /// <summary>Resources (listeners, clusters, endpoint sets, routes) translated from which an update counts as large.</summary>
    public const int LargeUpdate = 2000;

    private int _previous;

    /// <summary>How many collections it made.</summary>
    public int Collections { get; private set; }

    public void AfterUpdate(int translated)
    {
        var collect = translated >= LargeUpdate || _previous >= LargeUpdate;
        _previous = translated;
        if (!collect)
            return;
        Collections++;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
