using Kmesh.Sdk.Snapshot;

namespace Kmesh.Xds.Sources;

/// <summary>One complete configuration a source offers the daemon.</summary>
/// <param name="Resources">Every resource that should be in force (warming already done by the source).</param>
/// <param name="Version">The version to report in logs and status.</param>
/// <param name="Scrutinized">
/// Resources whose
/// translation errors refuse the whole update: the ones a control plane just sent, so that it can
/// be told (NACK). Null: nothing is refused for translation errors; they are only reported (a file,
/// whose author reads the log, and re-applies the source makes by itself).
/// </param>
/// <param name="Warm">
/// False while the source's first fetch is still under way (ADS: resources requested but not yet
/// arrived nor timed out); the daemon says it is ready only once a warm update is in force.
/// </param>
public sealed record ConfigUpdate(EnvoyResources Resources, string Version, IReadOnlySet<ResourceRef>? Scrutinized = null, bool Warm = true)
{
    /// <summary>
    /// Called by the daemon once this update is in the kernel and before it says so (readiness,
    /// the Applied line): a source records what is now in force, so that a reader who saw the
    /// daemon ready finds the versions it serves in the status too. Null: nothing to record.
    /// </summary>
    public Action? InForce { get; init; }
}
