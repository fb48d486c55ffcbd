using Kmesh.Sdk.Snapshot;

namespace Kmesh.Xds.Sources;

/// <summary>Why one resource was refused.</summary>
/// <param name="Resource">The resource as translators name it, e.g. <c>listener reviews</c>, or what else was refused (<c>plugin ratelimit</c>, a type URL).</param>
/// <param name="Field">The field path inside it, or empty.</param>
/// <param name="Reason">What is wrong, for a person.</param>
public sealed record ResourceRejection(string Resource, string Field, string Reason)
{
    /// <summary>A resource refused.</summary>
    public ResourceRejection(ResourceRef resource, string field, string reason)
        : this(resource.ToString(), field, reason)
    {
    }

    /// <summary><c>resource: field: reason</c>, the form NACKs and logs use.</summary>
    public override string ToString() => Field.Length == 0 ? $"{Resource}: {Reason}" : $"{Resource}: {Field}: {Reason}";
}
