using Google.Protobuf;

namespace Kmesh.Xds.Ads;

/// <summary>One decoded xDS resource.</summary>
/// <param name="Name">Its name (for a ClusterLoadAssignment, the cluster name).</param>
/// <param name="Message">The decoded Envoy message.</param>
/// <param name="Version">Its version: the response's version_info (SotW) or the resource's own (delta).</param>
internal sealed record XdsResource(string Name, IMessage Message, string Version)
{
    /// <summary>The hash of its bytes on the wire (SotW only, see <see cref="SotwBodies"/>); null when not taken.</summary>
    public UInt128? BodyHash { get; init; }

    /// <summary>True when its bytes are those of a resource already accepted: the held message was reused, not parsed.</summary>
    public bool Unchanged { get; init; }
}
