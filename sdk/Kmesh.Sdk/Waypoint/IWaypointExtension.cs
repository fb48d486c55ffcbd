using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Waypoint;

/// <summary>
/// A plugin's optional L7 part: per-request behaviour in the node's waypoint (<c>kmesh waypoint
/// --plugin-dir ...</c>), configured from the same resources the plugin's translator reads. The
/// waypoint finds one public implementation with a parameterless constructor in the plugin's
/// assembly, beside its <see cref="Translation.ITranslator"/>.
/// </summary>
public interface IWaypointExtension
{
    /// <summary>
    /// Called for every configuration the waypoint puts in force, before its first request.
    /// Returns how this plugin handles requests under it, or null when nothing in it concerns the
    /// plugin. Report what cannot be honoured through <paramref name="report"/>; an exception
    /// leaves the plugin out of the waypoint for this configuration (reported), the rest serves.
    /// </summary>
    IWaypointFilter? Configure(MeshSnapshot snapshot, IWaypointReport report);
}

/// <summary>Where an extension says what it does not honour, by resource and field, like a translator's findings.</summary>
public interface IWaypointReport
{
    /// <summary>Reports something of <paramref name="resource"/> (e.g. <c>listener 0.0.0.0_9080</c>) at <paramref name="field"/> that is not applied.</summary>
    void NotHonoured(ResourceRef resource, string field, string message);
}
