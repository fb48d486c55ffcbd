using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>
/// What a translator made of (part of) a resource: the counterpart of a
/// <see cref="TranslationDiagnostic"/>. Findings say what was left out; facts say what was
/// applied, so that a dry run (<c>kmesh config check</c>) can tell a resource that was
/// applied from one that no plugin used.
/// </summary>
/// <param name="Kind">What kind of kernel state it became.</param>
/// <param name="Resource">The resource, e.g. the listener <c>reviews</c> or the cluster <c>ratings-v2</c>.</param>
/// <param name="Field">The field path inside the resource it came from, e.g. <c>address</c>; empty for the resource as a whole.</param>
/// <param name="Detail">What it became, for a person, e.g. <c>10.96.0.15:9080 → cluster 'reviews'</c>.</param>
public sealed record TranslationFact(AppliedKind Kind, ResourceRef Resource, string Field, string Detail)
{
    /// <inheritdoc />
    public override string ToString() =>
        Field.Length == 0 ? $"{Kind.ToString().ToLowerInvariant()}: {Resource}: {Detail}" : $"{Kind.ToString().ToLowerInvariant()}: {Resource}: {Field}: {Detail}";
}
