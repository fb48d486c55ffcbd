using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>The outcome of one item of a config file, with everything that decided it.</summary>
/// <param name="Kind">What the item is.</param>
/// <param name="Name">Its name as written (empty when it has none).</param>
/// <param name="Resource">How diagnostics name it, e.g. <c>listener reviews</c>; unnamed listeners are named by where they are.</param>
/// <param name="FieldPath">Where it is in the file.</param>
/// <param name="Line">The line it starts on.</param>
/// <param name="Outcome">What became of it.</param>
/// <param name="Reason">One line: what it became, or why it was rejected or is not used.</param>
/// <param name="Applied">What plugins made of it.</param>
/// <param name="Findings">Every finding about it, errors first.</param>
/// <param name="UsedBy">The resources it serves (a route configuration's listeners, an assignment's clusters).</param>
public sealed record ResourceResult(
    ConfigEntryKind Kind,
    string Name,
    string Resource,
    string FieldPath,
    int Line,
    ResourceOutcome Outcome,
    string Reason,
    IReadOnlyList<CheckFact> Applied,
    IReadOnlyList<CheckFinding> Findings,
    IReadOnlyList<string> UsedBy);
