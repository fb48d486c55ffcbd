using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Observability;

/// <summary>
/// One JSON line per request, in the shape of the daemon's connection access log (start time,
/// duration, destination service and cluster, upstream host, response flags) with the HTTP
/// fields Envoy's default access log has (method, authority, path, protocol, response code,
/// route, attempts). Written by a background task: a request never waits on the disk; when the
/// queue is full, lines are dropped and counted rather than slowing requests.
/// </summary>
internal sealed class RequestLog : IAsyncDisposable
{
    private readonly Channel<byte[]> _lines = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(65536) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Stream _output;
    private readonly Task _writer;
    private long _dropped;

    /// <param name="path">A file to append to, or <c>-</c> for standard output.</param>
    public RequestLog(string path)
    {
        _output = path == "-" ? Console.OpenStandardOutput() : new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        _writer = Task.Run(WriteAsync);
    }

    /// <summary>Lines dropped because the writer fell behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(HttpContext context, RequestRecord record, TimeSpan elapsed)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("start_time", record.Start);
            json.WriteNumber("duration_ms", Math.Round(elapsed.TotalMilliseconds, 3));
            json.WriteString("method", context.Request.Method);
            json.WriteString("authority", context.Request.Host.Value);
            json.WriteString("path", context.Request.Path.Value + context.Request.QueryString.Value);
            json.WriteString("protocol", context.Request.Protocol);
            json.WriteNumber("response_code", context.Response.StatusCode);
            json.WriteString("response_flags", record.Flags);
            json.WriteString("route_name", record.Route);
            json.WriteString("upstream_cluster", record.Cluster);
            json.WriteString("upstream_host", record.UpstreamHost);
            json.WriteNumber("attempts", record.Attempts);
            if (record.AnsweredBy is not null)
                json.WriteString("answered_by", record.AnsweredBy);
            json.WriteString("downstream_remote_address", $"{context.Connection.RemoteIpAddress}:{context.Connection.RemotePort}");
            json.WriteString("downstream_local_address", $"{context.Connection.LocalIpAddress}:{context.Connection.LocalPort}");
            var destination = Kmesh.Sdk.Snapshot.IstioService.Of(record.Cluster);
            json.WriteString("destination_service", destination.Service);
            json.WriteEndObject();
        }
        var line = new byte[buffer.WrittenCount + 1];
        buffer.WrittenSpan.CopyTo(line);
        line[^1] = (byte)'\n';
        if (!_lines.Writer.TryWrite(line))
            Interlocked.Increment(ref _dropped);
    }

    private async Task WriteAsync()
    {
        while (await _lines.Reader.WaitToReadAsync())
        {
            while (_lines.Reader.TryRead(out var line))
                await _output.WriteAsync(line);
            await _output.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer;
        await _output.DisposeAsync();
    }
}
