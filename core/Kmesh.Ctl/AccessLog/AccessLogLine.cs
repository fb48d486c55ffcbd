using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Kmesh.Ctl.AccessLog;

/// <summary>
/// One access-log object (docs/admin-api.md, "Access log lines") as one short line:
/// <c>09:00:00.123 closed 10.0.0.5:41234 → 10.96.0.10:9080 → 10.244.1.7:9080 reviews… sent=120B received=4096B 12.5ms</c>.
/// </summary>
internal static class AccessLogLine
{
    public static string Format(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return json; // not ours to judge: show it as it came
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return json;
            return Format(document.RootElement);
        }
    }

    private static string Format(JsonElement entry)
    {
        var line = new StringBuilder();
        line.Append(Time(String(entry, "start_time"))).Append(' ');
        line.Append((String(entry, "event") ?? "?").PadRight(7)).Append(' ');
        line.Append(string.Join(" → ", new[] { String(entry, "source"), String(entry, "dialed"), String(entry, "upstream") }.Where(a => a is not null)));
        if ((String(entry, "destination_service") ?? String(entry, "cluster")) is { } service)
            line.Append("  ").Append(service);
        if (Number(entry, "bytes_sent") is { } sent)
            line.Append("  sent=").Append(sent).Append('B');
        if (Number(entry, "bytes_received") is { } received)
            line.Append(" received=").Append(received).Append('B');
        if (Number(entry, "duration_ms") is { } duration)
            line.Append("  ").Append(duration).Append("ms");
        if (String(entry, "reason") is { } reason)
            line.Append("  ").Append(reason);
        if (String(entry, "errno") is { } errno)
            line.Append(" (").Append(errno).Append(')');
        return line.ToString();
    }

    // Times are UTC in the log; the short form keeps milliseconds, which is what tells connects apart.
    private static string Time(string? startTime) =>
        DateTimeOffset.TryParse(startTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)
            : startTime ?? "--:--:--.---";

    private static string? String(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Number(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetRawText() : null;
}
