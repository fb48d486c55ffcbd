namespace Kmesh.Core.Check;

/// <summary>The check of every file given, with the chain that checked them.</summary>
/// <param name="Plugins">The chain, in order: name and version.</param>
/// <param name="DnsResolved">Whether host names were resolved (<c>--resolve-dns</c>) or stood in for.</param>
/// <param name="Files">Each file, in the order given.</param>
public sealed record CheckReport(IReadOnlyList<(string Name, string Version)> Plugins, bool DnsResolved, IReadOnlyList<FileResult> Files)
{
    /// <summary>Schema version of the JSON form (docs/config-check.md); raised only for a change that breaks a reader.</summary>
    public const int SchemaVersion = 1;

    /// <summary>How many items of all files had each outcome.</summary>
    public OutcomeCounts Totals => OutcomeCounts.Of(Files.SelectMany(f => f.Resources));

    /// <summary>0 when every file was checked (even with rejected resources); 1 when any could not be.</summary>
    public int ExitCode => Files.All(f => f.Status == FileStatus.Checked) ? 0 : 1;
}
