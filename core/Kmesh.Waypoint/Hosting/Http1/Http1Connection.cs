using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// One HTTP/1.1 connection (prototype): reads a request head into a pooled buffer, gives the
/// application a feature collection that is this object (reused request after request, as Kestrel
/// reuses its connection), writes the response into a pooled buffer sent on flush and at the end.
/// Everything runs on the thread that completed the last socket operation.
/// </summary>
internal sealed partial class Http1Connection<TContext> : IHttp1Input, IHttp1Output where TContext : notnull
{
    private const int InitialBuffer = 4096;
    // Kestrel's defaults: an 8 KiB request line and 32 KiB of headers.
    private const int MaxHead = 40 * 1024;

    private readonly Socket _socket;
    private readonly IHttpApplication<TContext> _application;
    private readonly CancellationToken _stopping;
    private byte[] _in = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start;
    private int _end;
    private bool _keepAlive;

    public Http1Connection(Socket socket, IHttpApplication<TContext> application, CancellationToken stopping)
    {
        _socket = socket;
        _application = application;
        _stopping = stopping;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        LocalIpAddress = local.Address;
        LocalPort = local.Port;
        RemoteIpAddress = remote.Address;
        RemotePort = remote.Port;
        _requestBody = new Http1RequestBody(this);
        _responseBody = new Http1ResponseBody(this);
        _requestBodyStream = _requestBody;
        _responseBodyStream = _responseBody;
    }

    public async Task RunAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (_start == _end)
                    _start = _end = 0;
                int headLength;
                while ((headLength = FindHeadEnd()) < 0)
                {
                    if (_end - _start >= MaxHead)
                    {
                        await RefuseAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge);
                        return;
                    }
                    // Waiting for a new request can end with the server's stop; a request begun cannot.
                    if (await ReceiveAsync(_end == _start ? _stopping : default) == 0)
                        return;
                }
                if (!TryParseHead(headLength))
                {
                    await RefuseAsync(StatusCodes.Status400BadRequest);
                    return;
                }
                await ServeRequestAsync();
                if (!_keepAlive || !await _requestBody.DrainAsync())
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The peer went away or the server stopped: nothing to answer.
        }
        finally
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }
            _socket.Dispose();
            ArrayPool<byte>.Shared.Return(_in);
            ReturnOutput();
        }
    }

    private async Task ServeRequestAsync()
    {
        var context = _application.CreateContext(this);
        Exception? error = null;
        try
        {
            await _application.ProcessRequestAsync(context);
        }
        catch (Exception e)
        {
            error = e;
        }
        await CompleteResponseAsync(error);
        _application.DisposeContext(context, error);
        ResetRequest();
    }

    /// <summary>Reads more bytes after those buffered; 0 when the peer has closed.</summary>
    public async ValueTask<int> ReceiveAsync(CancellationToken cancellation = default)
    {
        if (_end == _in.Length)
            MakeRoom();
        var received = await _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None, cancellation);
        _end += received;
        return received;
    }

    /// <summary>Moves unread bytes to the front of the buffer, growing it when it is full of them.</summary>
    private void MakeRoom()
    {
        var unread = _end - _start;
        var target = unread == _in.Length ? ArrayPool<byte>.Shared.Rent(_in.Length * 2) : _in;
        Buffer.BlockCopy(_in, _start, target, 0, unread);
        if (target != _in)
        {
            ArrayPool<byte>.Shared.Return(_in);
            _in = target;
        }
        _start = 0;
        _end = unread;
    }

    public ReadOnlySpan<byte> Buffered => _in.AsSpan(_start, _end - _start);

    public void Consume(int count) => _start += count;

    public async ValueTask FlushBodyAsync(CancellationToken cancellation)
    {
        if (!_responseStarted)
            await StartAsync(cancellation);
        await FlushOutputAsync(cancellation);
    }

    private int FindHeadEnd()
    {
        var at = _in.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    /// <summary>Answers a request that cannot be served with <paramref name="status"/> and closes.</summary>
    private async Task RefuseAsync(int status)
    {
        _keepAlive = false;
        _version11 = true;
        _statusCode = status;
        _responseHeaders.Clear();
        await CompleteResponseAsync(null);
    }
}
