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
    private readonly Func<string>? _describe;
    private string? _detail = Detail;

    /// <summary>
    /// A fact whose text is written only when someone reads it (<c>config check</c>, the config
    /// dump): at 10 000 clusters, describing every one's endpoints at each full translation cost
    /// a quarter of the translation, and almost nobody reads it. <paramref name="describe"/> must
    /// only read what does not change afterwards.
    /// </summary>
    public TranslationFact(AppliedKind kind, ResourceRef resource, string field, Func<string> describe)
        : this(kind, resource, field, Detail: null!) =>
        _describe = describe ?? throw new ArgumentNullException(nameof(describe));

    /// <summary>What it became, for a person, e.g. <c>10.96.0.15:9080 → cluster 'reviews'</c>.</summary>
    public string Detail
    {
        get => _detail ??= _describe!(); // racing readers write the same text
        init => _detail = value;
    }

    /// <summary>Facts are equal when they say the same, however their text was made.</summary>
    public bool Equals(TranslationFact? other) =>
        other is not null && Kind == other.Kind && Resource.Equals(other.Resource) && Field == other.Field && Detail == other.Detail;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Resource, Field, Detail);

    /// <inheritdoc />
    public override string ToString() =>
        Field.Length == 0 ? $"{Kind.ToString().ToLowerInvariant()}: {Resource}: {Detail}" : $"{Kind.ToString().ToLowerInvariant()}: {Resource}: {Field}: {Detail}";
}
