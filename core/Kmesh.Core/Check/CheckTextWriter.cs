using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>
/// The report for people: per file, one line per item (outcome, resource, line, what it became
/// or why not), each left-out part of a partially applied or rejected resource on its own line
/// below it, then the file's counts; the totals last. <c>verbose</c> adds every fact and finding.
/// </summary>
public static class CheckTextWriter
{
    private const string Indent = "             ";

    /// <summary>Writes the report.</summary>
    public static void Write(TextWriter output, CheckReport report, bool verbose = false)
    {
        var chain = report.Plugins.Count == 0 ? "no plugins" : string.Join(" → ", report.Plugins.Select(p => $"{p.Name} {p.Version}"));
        output.WriteLine($"kmesh config check: chain {chain}; DNS names {(report.DnsResolved ? "looked up now" : "stood in for (--resolve-dns looks them up)")}");
        foreach (var file in report.Files)
        {
            output.WriteLine();
            WriteFile(output, file, verbose);
        }
        output.WriteLine();
        var notChecked = report.Files.Count(f => f.Status != FileStatus.Checked);
        output.WriteLine($"{report.Files.Count} {(report.Files.Count == 1 ? "file" : "files")}{(notChecked == 0 ? "" : $" ({notChecked} not checked)")}, {report.Totals}");
    }

    private static void WriteFile(TextWriter output, FileResult file, bool verbose)
    {
        if (file.Status is not (FileStatus.Checked or FileStatus.PluginFailed))
        {
            output.WriteLine($"{file.Path}: {StatusText(file.Status)}: {file.Problem!.Message}");
            return;
        }
        output.WriteLine($"{file.Path} ({file.Shape})");
        if (file.Problem is { } problem)
            output.WriteLine($"  NOT COMPLETE: {problem.Message}");
        foreach (var resource in file.Resources)
        {
            output.WriteLine($"  {OutcomeText(resource.Outcome),-10} {resource.Resource} (line {resource.Line}): {resource.Reason}");
            foreach (var line in Details(resource, verbose))
                output.WriteLine(Indent + line);
        }
        foreach (var (resource, finding) in file.Unattributed)
            output.WriteLine($"  {"?",-10} {resource} (not in this file): {Severity(finding.Severity)} {finding.Text} [{finding.Source}]");
        if (!file.WholeFileLoads)
            output.WriteLine("  kmesh run --config would refuse this file as a whole: a resource in it does not parse");
        output.WriteLine($"  {file.Counts}");
    }

    private static IEnumerable<string> Details(ResourceResult resource, bool verbose)
    {
        if (verbose)
        {
            foreach (var fact in resource.Applied)
                yield return $"{fact.Kind.ToString().ToLowerInvariant()}: {(fact.Field.Length == 0 ? "" : fact.Field + ": ")}{fact.Detail} [{fact.Source}]";
            foreach (var finding in resource.Findings)
                yield return $"{Severity(finding.Severity)} {finding.Text} [{finding.Source}]";
            yield break;
        }
        // What was left out, field by field: the reason line already carries the first error.
        var leftOut = resource.Findings.Where(f => f.Severity != DiagnosticSeverity.Info);
        if (resource.Outcome == ResourceOutcome.Rejected)
            leftOut = leftOut.Skip(1);
        else if (resource.Outcome != ResourceOutcome.Partial)
            yield break;
        foreach (var finding in leftOut)
            yield return $"{Severity(finding.Severity)} {finding.Text}";
    }

    private static string OutcomeText(ResourceOutcome outcome) => outcome switch
    {
        ResourceOutcome.Applied => "applied",
        ResourceOutcome.Partial => "partial",
        ResourceOutcome.Rejected => "REJECTED",
        _ => "not used",
    };

    private static string StatusText(FileStatus status) => status switch
    {
        FileStatus.Unreadable => "NOT READ",
        FileStatus.NotEnvoyXds => "NOT CHECKED",
        _ => "NOT PARSED",
    };

    private static string Severity(DiagnosticSeverity severity) => severity.ToString().ToLowerInvariant();
}
