namespace Kmesh.Core.Hosting;

/// <summary>
/// A large configuration costs the daemon far more to parse and translate than to hold: at
/// 10 000 services most of what an update allocated is garbage sitting in gen 2 afterwards,
/// which the runtime keeps mapped. One aggressive, compacting collection after a large update
/// hands it back to the node, where a per-node daemon's footprint matters. "Large" is what the
/// update built anew or let go: the resources its snapshot holds as new objects or dropped
/// (<see cref="Mesh.MeshDiff.Replaced"/>), and the whole configuration when a plugin translated all
/// of it. So a huge configuration reverted is large (it dropped 30 000 resources), and a
/// one-endpoint change of a 10 000-service mesh — over delta or SotW ADS or from a re-read file, all
/// of which hand on the objects that did not change — is not, and does not pay for a blocking
/// collection of the whole heap (~100 ms of CPU at that size) at every change; a SotW push of
/// 10 000 new objects still hands their garbage back (without it the daemon's RSS grew 293 → 507 MiB
/// over 10 such changes, bench/results/2026-12-06-scale16d.md).
/// </summary>
internal sealed class MemoryRelief
{
    /// <summary>Resources (listeners, clusters, endpoint sets, routes) translated from which an update counts as large.</summary>
    public const int LargeUpdate = 2000;

    /// <summary>How many collections it made.</summary>
    public int Collections { get; private set; }

    /// <summary>After an update that built anew or let go <paramref name="translated"/> resources.</summary>
    public void AfterUpdate(int translated)
    {
        if (translated < LargeUpdate)
            return;
        Collections++;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
