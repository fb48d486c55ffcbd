using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The response: the head is written into the output buffer with the first body bytes (or at the
/// end), and the buffer is sent when the application flushes, when it fills, and when the response
/// ends, so a small response leaves in one send.
/// </summary>
internal sealed partial class Http1Connection<TContext> : IHttpResponseFeature, IHttpResponseBodyFeature
{
    private const int OutputBuffer = 8192;

    private enum Framing { None, Length, Chunked, Close, NoBody }

    private readonly HeaderDictionary _responseHeaders = new();
    private readonly Http1ResponseBody _responseBody;
    private Stream _responseBodyStream;
    private PipeWriter? _writer;
    private byte[]? _out;
    private int _outLength;
    private int _statusCode = StatusCodes.Status200OK;
    private string? _reasonPhrase;
    private bool _responseStarted;
    private Framing _responseFraming;
    private long _responseRemaining;
    private List<(Func<object, Task> Callback, object State)>? _onStarting;
    private List<(Func<object, Task> Callback, object State)>? _onCompleted;

    // IHttpResponseFeature
    public int StatusCode
    {
        get => _statusCode;
        set
        {
            if (_responseStarted)
                throw new InvalidOperationException("the response has started");
            _statusCode = value;
        }
    }

    public string? ReasonPhrase
    {
        get => _reasonPhrase;
        set => _reasonPhrase = value;
    }

    IHeaderDictionary IHttpResponseFeature.Headers
    {
        get => _responseHeaders;
        set => throw new NotSupportedException("the response headers are the connection's");
    }

#pragma warning disable CS0618 // IHttpResponseFeature.Body is obsolete but still part of the interface
    Stream IHttpResponseFeature.Body
    {
        get => _responseBodyStream;
        set => _responseBodyStream = value;
    }
#pragma warning restore CS0618

    public bool HasStarted => _responseStarted;

    public void OnStarting(Func<object, Task> callback, object state) => (_onStarting ??= []).Add((callback, state));

    public void OnCompleted(Func<object, Task> callback, object state) => (_onCompleted ??= []).Add((callback, state));

    // IHttpResponseBodyFeature
    Stream IHttpResponseBodyFeature.Stream => _responseBody;

    public PipeWriter Writer => _writer ??= PipeWriter.Create(_responseBody, new StreamPipeWriterOptions(leaveOpen: true));

    public void DisableBuffering()
    {
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_responseStarted)
            return;
        if (_onStarting is { } callbacks)
            for (var i = callbacks.Count - 1; i >= 0; i--)
                await callbacks[i].Callback(callbacks[i].State);
        WriteHead(bodyFollows: true);
    }

    public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) =>
        SendFileFallback.SendFileAsync(_responseBody, path, offset, count, cancellationToken);

    public async Task CompleteAsync()
    {
        if (!_responseStarted)
        {
            if (_onStarting is not null)
                await StartAsync();
            else
                WriteHead(bodyFollows: false);
        }
        if (_responseFraming == Framing.Chunked)
        {
            AppendAscii("0\r\n\r\n");
            _responseFraming = Framing.None;
        }
        else if (_responseFraming == Framing.Length && _responseRemaining > 0)
            _keepAlive = false; // fewer bytes than announced: only closing tells the client the response ended
        if (_writer is not null)
        {
            await _writer.CompleteAsync();
            _writer = null;
        }
        await FlushOutputAsync();
    }

    private async ValueTask CompleteResponseAsync(Exception? error)
    {
        if (error is not null)
        {
            if (_responseStarted)
                _keepAlive = false; // the response is cut short: only closing tells the client
            else
            {
                _statusCode = StatusCodes.Status500InternalServerError;
                _responseHeaders.Clear();
                _onStarting = null;
            }
        }
        try
        {
            await CompleteAsync();
        }
        finally
        {
            if (_onCompleted is { } callbacks)
                for (var i = callbacks.Count - 1; i >= 0; i--)
                    await callbacks[i].Callback(callbacks[i].State);
        }
    }

    /// <summary>Writes the status line and headers, choosing how the body is framed.</summary>
    private void WriteHead(bool bodyFollows)
    {
        _responseStarted = true;
        var noBody = _isHead || _statusCode is 204 or 304 or < 200;
        _responseHeaders.Remove(HeaderNames.TransferEncoding); // framing is this server's choice
        if (noBody)
            _responseFraming = Framing.NoBody;
        else if (_responseHeaders.ContentLength is not null)
            _responseFraming = Framing.Length;
        else if (!bodyFollows)
        {
            _responseHeaders.ContentLength = 0;
            _responseFraming = Framing.Length;
        }
        else if (_version11)
            _responseFraming = Framing.Chunked;
        else
        {
            _responseFraming = Framing.Close;
            _keepAlive = false;
        }
        if (_responseHeaders.TryGetValue(HeaderNames.Connection, out var connection) && connection.ToString().Contains("close", StringComparison.OrdinalIgnoreCase)
            || _server.Stopping)
            _keepAlive = false;
        _responseRemaining = _responseFraming == Framing.Length ? _responseHeaders.ContentLength!.Value : 0;
        AppendAscii(_version11 ? "HTTP/1.1 " : "HTTP/1.0 ");
        AppendAscii(StatusLine(_statusCode, _reasonPhrase));
        foreach (var (name, values) in _responseHeaders)
        {
            if (name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase))
                continue;
            foreach (var value in values)
            {
                AppendAscii(name);
                AppendAscii(": ");
                AppendAscii(value ?? "");
                AppendAscii("\r\n");
            }
        }
        if (!_responseHeaders.ContainsKey(HeaderNames.Date))
            AppendAscii(DateLine());
        if (_responseFraming == Framing.Chunked)
            AppendAscii("Transfer-Encoding: chunked\r\n");
        if (!_keepAlive)
            AppendAscii("Connection: close\r\n");
        else if (!_version11)
            AppendAscii("Connection: keep-alive\r\n");
        AppendAscii("\r\n");
    }

    public async ValueTask WriteBodyAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        if (!_responseStarted)
            await StartAsync(cancellation);
        if (_responseFraming == Framing.NoBody || data.IsEmpty)
            return;
        if (_responseFraming == Framing.Length)
        {
            if (data.Length > _responseRemaining)
                throw new InvalidOperationException($"Response Content-Length mismatch: too many bytes written ({data.Length} more than the {_responseRemaining} left).");
            _responseRemaining -= data.Length;
        }
        if (_responseFraming == Framing.Chunked)
        {
            Span<byte> size = stackalloc byte[10];
            Utf8Formatter.TryFormat(data.Length, size, out var written, new StandardFormat('x'));
            Append(size[..written]);
            AppendAscii("\r\n");
        }
        if (data.Length <= OutputBuffer - _outLength)
            Append(data.Span);
        else
        {
            await FlushOutputAsync();
            await SendAsync(data, cancellation);
        }
        if (_responseFraming == Framing.Chunked)
            AppendAscii("\r\n");
    }

    internal async ValueTask FlushOutputAsync(CancellationToken cancellation = default)
    {
        if (_outLength == 0)
            return;
        var length = _outLength;
        _outLength = 0;
        await SendAsync(_out.AsMemory(0, length), cancellation);
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellation)
    {
        while (!data.IsEmpty)
        {
            var sent = await _socket.SendAsync(data, SocketFlags.None, cancellation);
            data = data[sent..];
        }
    }

    private void AppendAscii(string text)
    {
        EnsureOutput(text.Length);
        _outLength += Encoding.Latin1.GetBytes(text, _out.AsSpan(_outLength));
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureOutput(bytes.Length);
        bytes.CopyTo(_out.AsSpan(_outLength));
        _outLength += bytes.Length;
    }

    /// <summary>Heads and chunk framing always fit: the buffer grows for them instead of sending a partial head.</summary>
    private void EnsureOutput(int more)
    {
        _out ??= ArrayPool<byte>.Shared.Rent(OutputBuffer);
        if (_outLength + more <= _out.Length)
            return;
        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_out.Length * 2, _outLength + more));
        _out.AsSpan(0, _outLength).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_out);
        _out = bigger;
    }

    private void ReturnOutput()
    {
        if (_out is not null)
            ArrayPool<byte>.Shared.Return(_out);
        _out = null;
    }

    private static readonly Dictionary<int, string> s_statusLines = [];

    private static string StatusLine(int status, string? reason)
    {
        if (reason is not null)
            return $"{status} {reason}\r\n";
        lock (s_statusLines)
        {
            if (!s_statusLines.TryGetValue(status, out var line))
                s_statusLines[status] = line = $"{status} {ReasonPhrases.GetReasonPhrase(status)}\r\n";
            return line;
        }
    }

    private static string s_dateLine = "";
    private static long s_dateSecond;

    private static string DateLine()
    {
        var now = DateTimeOffset.UtcNow;
        var second = now.ToUnixTimeSeconds();
        if (second != Volatile.Read(ref s_dateSecond))
        {
            s_dateLine = "Date: " + now.ToString("r", System.Globalization.CultureInfo.InvariantCulture) + "\r\n";
            Volatile.Write(ref s_dateSecond, second);
        }
        return s_dateLine;
    }
}
