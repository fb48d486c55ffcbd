using Google.Protobuf;

namespace Kmesh.Xds;

/// <summary>
/// One item of a config file as <see cref="EnvoyConfigFile.Inventory"/> read it: a resource
/// that was read (<see cref="Resource"/>), one that could not be (<see cref="Error"/>), or a
/// part of the file Kmesh does not read (<see cref="SkipReason"/>). Every item of the file is
/// one entry, so that nothing in it goes unaccounted for.
/// </summary>
/// <param name="Kind">What the item is.</param>
/// <param name="Name">Its name (a cluster load assignment's <c>cluster_name</c>); empty when it has none.</param>
/// <param name="FieldPath">Where it is in the document, e.g. <c>static_resources.listeners[0]</c> or <c>resources[2]</c>.</param>
/// <param name="Line">1-based line where it starts.</param>
/// <param name="Column">1-based column where it starts.</param>
public sealed record ConfigEntry(ConfigEntryKind Kind, string Name, string FieldPath, int Line, int Column)
{
    /// <summary>The item's <c>@type</c> when it has one (listed and dumped resources); else empty.</summary>
    public string TypeUrl { get; init; } = "";

    /// <summary>The resource, when it was read.</summary>
    public IMessage? Resource { get; init; }

    /// <summary>Why the resource could not be read, with the exact place; null otherwise.</summary>
    public ConfigParseException? Error { get; init; }

    /// <summary>Why the item is not read at all; null for resources (read or refused).</summary>
    public string? SkipReason { get; init; }

    /// <summary>
    /// True for a config dump's copy of what another resource of the file carries (a listener's
    /// inline route configuration, a non-EDS cluster's own endpoints): not a resource of its own,
    /// not used, and <see cref="SkipReason"/> names the original.
    /// </summary>
    public bool IsCopy { get; init; }

    /// <summary>The file's warnings about this item (unknown extension types inside it), in file order.</summary>
    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];
}
