using Kmesh.Sdk.Snapshot;

namespace Kmesh.Sdk.Translation;

/// <summary>How bad a translation finding is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Worth knowing; nothing was left out.</summary>
    Info,
    /// <summary>Part of a resource is not supported and was left out; the rest applies.</summary>
    Warning,
    /// <summary>A resource could not be translated at all and was left out.</summary>
    Error,
}

/// <summary>
/// A finding about a resource: names the resource and the field so an operator can act.
/// </summary>
/// <param name="Severity">How bad it is.</param>
/// <param name="Resource">The resource, e.g. the listener <c>reviews</c> or the cluster <c>ratings-v2</c>.</param>
/// <param name="Field">The field path inside the resource, e.g. <c>filter_chains[0].filters[1]</c>.</param>
/// <param name="Message">What is wrong and what was done about it.</param>
public sealed record TranslationDiagnostic(DiagnosticSeverity Severity, ResourceRef Resource, string Field, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Severity.ToString().ToLowerInvariant()}: {Resource}: {Field}: {Message}";
}
