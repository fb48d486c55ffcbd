using System.Buffers;
using System.Net;
using System.Text.Json;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Core.Telemetry;

/// <summary>
/// One access-log record as the JSON line operators read (docs/admin-api.md, "Access log
/// lines"): names instead of the kernel's ids, errno by name, times in UTC.
/// </summary>
public static class AccessLogLine
{
    /// <summary>The record as one line of JSON (no newline).</summary>
    public static string Format(AccessLogRecord record, StableMeshIds ids)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            var cluster = ids.ClusterName(record.ClusterId);
            var closed = record.Kind == AccessLogKind.Closed;
            json.WriteStartObject();
            json.WriteString("event", closed ? "closed" : "refused");
            json.WriteString("start_time", record.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            if (closed)
                json.WriteNumber("duration_ms", Math.Round(record.Duration.TotalMilliseconds, 3));
            WriteEndpoint(json, "source", record.Source);
            WriteEndpoint(json, "dialed", record.Dialed);
            if (closed)
                WriteEndpoint(json, "upstream", record.Upstream);
            json.WriteString("destination_service", IstioService.Of(cluster).Service);
            json.WriteString("cluster", cluster ?? IstioService.Unknown);
            json.WriteString("service", ids.ServiceName(record.ServiceId) ?? IstioService.Unknown);
            if (closed)
            {
                json.WriteNumber("bytes_sent", record.BytesSent);
                json.WriteNumber("bytes_received", record.BytesReceived);
                json.WriteNumber("srtt_us", (long)(record.SmoothedRtt.Ticks / TimeSpan.TicksPerMicrosecond));
                json.WriteNumber("retransmits", record.Retransmits);
            }
            else
            {
                json.WriteString("reason", ReasonName(record.Reason));
                json.WriteString("errno", ErrnoName(record.Errno));
            }
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The label a refusal reason goes by in logs and metrics.</summary>
    public static string ReasonName(KmReason reason) => reason switch
    {
        KmReason.Unfinished => "fail_closed",
        _ => JsonNamingPolicy.SnakeCaseLower.ConvertName(reason.ToString()),
    };

    private static string ErrnoName(int errno) => errno switch
    {
        111 => "ECONNREFUSED",
        113 => "EHOSTUNREACH",
        105 => "ENOBUFS",
        16 => "EBUSY",
        _ => errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static void WriteEndpoint(Utf8JsonWriter json, string name, IPEndPoint? endpoint)
    {
        if (endpoint is null)
            json.WriteNull(name);
        else
            json.WriteString(name, endpoint.ToString());
    }
}
