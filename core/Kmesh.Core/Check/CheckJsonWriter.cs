using System.Text.Encodings.Web;
using System.Text.Json;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>
/// The JSON form of a <see cref="CheckReport"/>: what operators and CI pipelines script against,
/// so every field is written always (null or empty rather than absent) and documented in
/// docs/config-check.md; names are lowerCamel, enums are lowerCamel strings.
/// </summary>
public static class CheckJsonWriter
{
    private static readonly JsonWriterOptions Options = new()
    {
        Indented = true,
        // Read by scripts and people, never embedded in HTML: keep '→' and quotes readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The report as indented JSON.</summary>
    public static string Write(CheckReport report)
    {
        using var stream = new MemoryStream();
        Write(stream, report.Plugins, report.DnsResolved, report.Files);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>
    /// Writes the report to <paramref name="output"/> as the files' results come, each flushed
    /// and let go once written (the same JSON as <see cref="Write(CheckReport)"/>).
    /// </summary>
    /// <returns>The exit code the JSON states.</returns>
    public static int Write(Stream output, IReadOnlyList<(string Name, string Version)> plugins, bool dnsResolved, IEnumerable<FileResult> files)
    {
        using var json = new Utf8JsonWriter(output, Options);
        json.WriteStartObject();
        json.WriteNumber("schemaVersion", CheckReport.SchemaVersion);
        json.WriteStartArray("plugins");
        foreach (var (name, version) in plugins)
        {
            json.WriteStartObject();
            json.WriteString("name", name);
            json.WriteString("version", version);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteBoolean("dnsResolved", dnsResolved);
        json.WriteStartArray("files");
        var totals = new OutcomeCounts(0, 0, 0, 0);
        int count = 0, notChecked = 0;
        foreach (var file in files)
        {
            WriteFile(json, file);
            json.Flush();
            totals = totals.Plus(file.Counts);
            count++;
            notChecked += file.Status == FileStatus.Checked ? 0 : 1;
        }
        json.WriteEndArray();
        json.WritePropertyName("totals");
        WriteCounts(json, totals, count, notChecked);
        var exitCode = notChecked == 0 ? 0 : 1;
        json.WriteNumber("exitCode", exitCode);
        json.WriteEndObject();
        return exitCode;
    }

    private static void WriteFile(Utf8JsonWriter json, FileResult file)
    {
        json.WriteStartObject();
        json.WriteString("path", file.Path);
        json.WriteString("status", Camel(file.Status.ToString()));
        json.WriteString("shape", file.Shape);
        json.WritePropertyName("problem");
        if (file.Problem is { } problem)
        {
            json.WriteStartObject();
            json.WriteString("message", problem.Message);
            WriteNullable(json, "line", problem.Line);
            WriteNullable(json, "column", problem.Column);
            json.WriteString("field", problem.Field);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNullValue();
        }
        json.WriteBoolean("wholeFileLoads", file.WholeFileLoads);
        json.WritePropertyName("counts");
        WriteCounts(json, file.Counts, null, null);
        json.WriteStartArray("resources");
        foreach (var resource in file.Resources)
            WriteResource(json, resource);
        json.WriteEndArray();
        json.WriteStartArray("unattributed");
        foreach (var (resource, finding) in file.Unattributed)
        {
            json.WriteStartObject();
            json.WriteString("resource", resource.ToString());
            WriteFindingFields(json, finding);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteResource(Utf8JsonWriter json, ResourceResult resource)
    {
        json.WriteStartObject();
        json.WriteString("kind", Camel(resource.Kind.ToString()));
        json.WriteString("name", resource.Name);
        json.WriteString("resource", resource.Resource);
        json.WriteString("path", resource.FieldPath);
        json.WriteNumber("line", resource.Line);
        json.WriteString("outcome", Camel(resource.Outcome.ToString()));
        json.WriteString("reason", resource.Reason);
        json.WriteStartArray("applied");
        foreach (var fact in resource.Applied)
        {
            json.WriteStartObject();
            json.WriteString("kind", Camel(fact.Kind.ToString()));
            json.WriteString("field", fact.Field);
            json.WriteString("detail", fact.Detail);
            json.WriteString("source", fact.Source);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("findings");
        foreach (var finding in resource.Findings)
        {
            json.WriteStartObject();
            WriteFindingFields(json, finding);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartArray("usedBy");
        foreach (var user in resource.UsedBy)
            json.WriteStringValue(user);
        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFindingFields(Utf8JsonWriter json, CheckFinding finding)
    {
        json.WriteString("severity", Severity(finding.Severity));
        json.WriteString("field", finding.Field);
        json.WriteString("message", finding.Message);
        json.WriteString("source", finding.Source);
        WriteNullable(json, "line", finding.Line);
    }

    private static void WriteCounts(Utf8JsonWriter json, OutcomeCounts counts, int? files, int? filesNotChecked)
    {
        json.WriteStartObject();
        if (files is not null)
        {
            json.WriteNumber("files", files.Value);
            json.WriteNumber("filesNotChecked", filesNotChecked!.Value);
        }
        json.WriteNumber("resources", counts.Total);
        json.WriteNumber("applied", counts.Applied);
        json.WriteNumber("partial", counts.Partial);
        json.WriteNumber("rejected", counts.Rejected);
        json.WriteNumber("notUsed", counts.NotUsed);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is null)
            json.WriteNull(name);
        else
            json.WriteNumber(name, value.Value);
    }

    private static string Severity(DiagnosticSeverity severity) => severity.ToString().ToLowerInvariant();

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
