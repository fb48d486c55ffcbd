using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// One HTTP/1.1 connection: reads a request head into a pooled buffer, gives the application a
/// feature collection that is this object (reused request after request, as Kestrel reuses its
/// connection), writes the response into a pooled buffer sent on flush and at the end. Everything
/// runs on the thread that completed the last socket operation; nothing is queued.
/// </summary>
internal sealed partial class Http1Connection<TContext> : IHttp1Input, IHttp1Output, IHttp1Served where TContext : notnull
{
    private const int InitialBuffer = 4096;
    // Kestrel's defaults: an 8 KiB request line, 32 KiB of headers, 130 s idle between requests, 30 s for a head.
    private const int MaxRequestLine = 8 * 1024;
    private const int MaxHeaders = 32 * 1024;
    private const int MaxHead = MaxRequestLine + MaxHeaders;
    private const long KeepAliveTimeoutMs = 130_000;
    private const long RequestHeadersTimeoutMs = 30_000;

    private readonly Socket _socket;
    private readonly IHttpApplication<TContext> _application;
    private readonly Http1Server _server;
    private byte[] _in = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    private int _start;
    private int _end;
    private bool _keepAlive;
    private long _deadline = long.MaxValue;
    private volatile bool _idle;
    private int _closed;
    // The read that waits for the next request (or the client's FIN) while the application runs; awaited once.
    private ValueTask<int> _readAhead;
    private bool _readingAhead;

    public Http1Connection(Socket socket, IHttpApplication<TContext> application, Http1Server server)
    {
        _socket = socket;
        _application = application;
        _server = server;
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
        var handedOff = false;
        try
        {
            while (true)
            {
                if (_start == _end)
                    _start = _end = 0;
                if (!await ReadHeadAsync())
                    return;
                if (StartsWithHttp2Preface())
                {
                    handedOff = HandOff();
                    return;
                }
                switch (TryParseHead())
                {
                    case HeadVerdict.Bad:
                        await RefuseAsync(StatusCodes.Status400BadRequest);
                        return;
                    case HeadVerdict.LineTooLong:
                        await RefuseAsync(StatusCodes.Status414UriTooLong);
                        return;
                    case HeadVerdict.TooLarge:
                        await RefuseAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge);
                        return;
                    case HeadVerdict.VersionNotSupported:
                        await RefuseAsync(StatusCodes.Status505HttpVersionNotsupported);
                        return;
                    case HeadVerdict.Upgrade:
                        handedOff = HandOff();
                        return;
                }
                await ServeRequestAsync();
                // Closing ends a read-ahead still pending (CloseAsync waits for it).
                if (!_keepAlive || _server.Stopping)
                    return;
                if (_readingAhead)
                {
                    var readAhead = _readAhead;
                    _readingAhead = false;
                    if (!readAhead.IsCompleted)
                    {
                        // Waiting for the next request: the keep-alive timeout runs, and a stop closes the connection.
                        _deadline = Environment.TickCount64 + KeepAliveTimeoutMs;
                        if (MarkIdle())
                            return;
                    }
                    var received = await readAhead;
                    _idle = false;
                    if (received == 0)
                        return; // the client closed
                }
                if (!await _requestBody.DrainAsync())
                    return;
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The peer went away, or the connection was closed under us: nothing to answer.
        }
        finally
        {
            await CloseAsync(handedOff);
        }
    }

    /// <summary>Reads until a whole request head is buffered; false when the client closed first (or sent too much).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadHeadAsync()
    {
        _deadline = Environment.TickCount64 + (_start == _end ? KeepAliveTimeoutMs : RequestHeadersTimeoutMs);
        while ((_headLength = FindHeadEnd()) < 0)
        {
            if (_end - _start >= MaxHead)
            {
                await RefuseAsync(StatusCodes.Status431RequestHeaderFieldsTooLarge);
                return false;
            }
            var waitingForRequest = _start == _end;
            if (waitingForRequest && MarkIdle())
                return false;
            var received = await ReceiveAsync();
            _idle = false;
            if (received == 0)
                return false;
            if (waitingForRequest)
                _deadline = Environment.TickCount64 + RequestHeadersTimeoutMs;
        }
        _deadline = long.MaxValue;
        return true;
    }

    /// <summary>
    /// Between requests a stopping server closes the connection: this marks it idle, then looks
    /// whether the server stops; the server marks itself stopping, then looks for idle connections.
    /// </summary>
    /// <returns>Whether the server is stopping (close now).</returns>
    private bool MarkIdle()
    {
        _idle = true;
        Interlocked.MemoryBarrier();
        return _server.Stopping;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ServeRequestAsync()
    {
        if (!_requestBody.CanHaveBody)
            StartReadAhead();
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

    /// <summary>
    /// Keeps a read pending while the application runs, as Kestrel does: a client that goes away
    /// (its FIN) then cancels the request; bytes of a next request are kept for it.
    /// Called once the request's body has been read to its end (at once when it has none). Not
    /// when the next request is already buffered (pipelined): it is served next either way.
    /// </summary>
    public void StartReadAhead()
    {
        if (_readingAhead || _start != _end)
            return;
        if (_end == _in.Length)
            MakeRoom();
        _readAhead = ReadAheadAsync();
        _readingAhead = true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadAheadAsync()
    {
        int received;
        try
        {
            received = await _socket.ReceiveAsync(_in.AsMemory(_end), SocketFlags.None);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            received = 0;
        }
        if (received == 0)
        {
            _keepAlive = false;
            AbortedSource().Cancel();
        }
        _end += received;
        return received;
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

    public async ValueTask<int> ReceiveBodyAsync(CancellationToken cancellation)
    {
        if (_expectContinue)
        {
            _expectContinue = false;
            // The client waits for this before it sends the body; not if the answer has begun instead.
            if (!_responseStarted)
                await SendAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellation);
        }
        return await ReceiveAsync(cancellation);
    }

    public void BodyEnded() => StartReadAhead();

    public ReadOnlySpan<byte> Buffered => _in.AsSpan(_start, _end - _start);

    public void Consume(int count) => _start += count;

    public async ValueTask FlushBodyAsync(CancellationToken cancellation)
    {
        if (!_responseStarted)
            await StartAsync(cancellation);
        await FlushOutputAsync(cancellation);
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

    private int FindHeadEnd()
    {
        var at = Buffered.IndexOf("\r\n\r\n"u8);
        return at < 0 ? -1 : at + 4;
    }

    private bool StartsWithHttp2Preface() => Buffered.StartsWith("PRI * HTTP/2.0\r\n\r\n"u8);

    /// <summary>Gives the connection to Kestrel from the request it has not begun (the bytes buffered).</summary>
    private bool HandOff()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return false;
        _server.HandToKestrel(_socket, Buffered);
        return true;
    }

    /// <summary>Answers a request that cannot be served with <paramref name="status"/> and closes.</summary>
    private async ValueTask RefuseAsync(int status)
    {
        _keepAlive = false;
        _version11 = true;
        _isHead = false;
        _statusCode = status;
        _responseHeaders.Clear();
        await CompleteResponseAsync(null);
    }

    public void Tick(long now)
    {
        if (now > Volatile.Read(ref _deadline))
            Cut();
    }

    public void Stop()
    {
        if (_idle)
            Cut();
    }

    /// <summary>Ends both directions: a pending read returns 0 and the connection's loop ends.</summary>
    public void Cut()
    {
        if (Volatile.Read(ref _closed) != 0)
            return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task CloseAsync(bool handedOff)
    {
        if (!handedOff)
        {
            Interlocked.Exchange(ref _closed, 1);
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
            }
            // The shutdown ends a read still pending; it must be done with the buffer before the buffer goes back.
            if (_readingAhead)
            {
                _readingAhead = false;
                await _readAhead;
            }
            _socket.Dispose();
        }
        ArrayPool<byte>.Shared.Return(_in);
        _in = [];
        ReturnOutput();
        _server.Ended(this);
    }
}
