using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>The check of one file.</summary>
/// <param name="Path">The file, as it was named.</param>
/// <param name="Status">Whether it could be checked.</param>
/// <param name="Shape">Its document shape (<see cref="ConfigInventory.Shape"/>) when it was parsed; else null.</param>
/// <param name="Problem">Why it could not be checked (or which plugin failed on it); null when checked.</param>
/// <param name="Resources">Every item of the file, in file order: empty when it could not be parsed.</param>
/// <param name="Unattributed">Findings about resources that are not in the file (e.g. a plugin naming one wrongly): never dropped.</param>
public sealed record FileResult(
    string Path,
    FileStatus Status,
    string? Shape,
    FileProblem? Problem,
    IReadOnlyList<ResourceResult> Resources,
    IReadOnlyList<(ResourceRef Resource, CheckFinding Finding)> Unattributed)
{
    /// <summary>How many items had each outcome.</summary>
    public OutcomeCounts Counts => OutcomeCounts.Of(Resources);

    /// <summary>
    /// Whether <c>kmesh run --config</c> (and <c>kmesh xds serve</c>) would load this file: they
    /// refuse a whole file when any resource in it does not parse, where the check goes on.
    /// </summary>
    public bool WholeFileLoads => Status is FileStatus.Checked or FileStatus.PluginFailed
        && Resources.All(r => !r.Findings.Any(f => f.Source == CheckSources.Parser && f.Severity == DiagnosticSeverity.Error));

    /// <summary>A file that could not be read or parsed.</summary>
    public static FileResult NotChecked(string path, FileStatus status, FileProblem problem) => new(path, status, null, problem, [], []);
}
