using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>What a resource became, as a plugin reported it (<see cref="TranslationOutput.Applied"/>).</summary>
/// <param name="Kind">What kind of kernel state.</param>
/// <param name="Field">The field it came from; empty for the resource as a whole.</param>
/// <param name="Detail">What it became, for a person.</param>
/// <param name="Source">The plugin that reported it, or <c>check</c> for what the check derived (a route configuration used by a listener).</param>
public sealed record CheckFact(AppliedKind Kind, string Field, string Detail, string Source);
