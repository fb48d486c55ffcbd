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
    public static void Write(TextWriter output, CheckReport report, bool verbose = false) =>
        Write(output, report.Plugins, report.DnsResolved, report.Files, verbose);

    /// <summary>Writes the files' results as they come, each let go once written.</summary>
    /// <returns>The exit code: 0 when every file was checked, else 1.</returns>
    public static int Write(TextWriter output, IReadOnlyList<(string Name, string Version)> plugins, bool dnsResolved,
        IEnumerable<FileResult> files, bool verbose = false)
    {
        var chain = plugins.Count == 0 ? "no plugins" : string.Join(" → ", plugins.Select(p => $"{p.Name} {p.Version}"));
        output.WriteLine($"kmesh config check: chain {chain}; DNS names {(dnsResolved ? "looked up now" : "stood in for (--resolve-dns looks them up)")}");
        var totals = new OutcomeCounts(0, 0, 0, 0);
        int count = 0, notChecked = 0;
        foreach (var file in files)
        {
            output.WriteLine();
            WriteFile(output, file, verbose);
            output.Flush();
            totals = totals.Plus(file.Counts);
            count++;
            notChecked += file.Status == FileStatus.Checked ? 0 : 1;
        }
        output.WriteLine();
        output.WriteLine($"{count} {(count == 1 ? "file" : "files")}{(notChecked == 0 ? "" : $" ({notChecked} not checked)")}, {totals}");
        return notChecked == 0 ? 0 : 1;
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
