using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The waypoint's own HTTP/1.1 server for one port. Kestrel hands every accepted connection to the
/// thread pool, which on a new connection per request costs more than the request itself (a worker
/// woken through a futex, which wakes another: bench/results/2026-12-07-wp19.md). This server accepts
/// on the socket engine's thread and serves the connection there, into the same ASP.NET Core
/// application (middleware, plugins' L7 parts, YARP). What it does not serve, HTTP/2 with prior
/// knowledge (gRPC) and upgrade requests, it hands to the port's Kestrel (<see cref="Http1Handoff"/>).
/// </summary>
internal sealed class Http1Server(IPAddress address, int port, Http1Handoff handoff, IServer kestrel) : IServer
{
    private readonly HashSet<IHttp1Served> _connections = [];
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private Timer? _heartbeat;
    private TaskCompletionSource? _drained;
    private volatile bool _stopping;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    /// <summary>Set once the server stops: responses then ask to close, idle connections are closed.</summary>
    public bool Stopping => _stopping;

    public async Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        await kestrel.StartAsync(application, cancellationToken);
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        if (address.Equals(IPAddress.IPv6Any))
            socket.DualMode = true;
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            await kestrel.StopAsync(cancellationToken);
            // What PortListeners reports as a port it could not bind, as Kestrel's own would be.
            throw new IOException($"Failed to bind to address http://{address}:{port}: {e.Message}", new AddressInUseException(e.Message, e));
        }
        socket.Listen(512);
        _listener = socket;
        _heartbeat = new Timer(_ => Tick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        _accepting = AcceptAsync(application);
    }

    private async Task AcceptAsync<TContext>(IHttpApplication<TContext> application) where TContext : notnull
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _listener!.AcceptAsync();
            }
            catch (Exception e) when (e is ObjectDisposedException || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return;
            }
            catch (SocketException)
            {
                continue; // reset before it was accepted; the listener is fine
            }
            accepted.NoDelay = true;
            var connection = new Http1Connection<TContext>(accepted, application, this);
            lock (_connections)
                _connections.Add(connection);
            // Runs on this thread until its first read waits; then the accept loop goes on.
            _ = connection.RunAsync();
        }
    }

    /// <summary>A connection's end (served to the end, or handed to Kestrel).</summary>
    internal void Ended(IHttp1Served connection)
    {
        lock (_connections)
        {
            _connections.Remove(connection);
            if (_connections.Count == 0)
                _drained?.TrySetResult();
        }
    }

    /// <summary>Gives a connection this server does not serve to Kestrel, with the bytes already read from it.</summary>
    internal void HandToKestrel(Socket socket, ReadOnlySpan<byte> received)
    {
        var connection = new Transport.InlineConnection(socket, System.Buffers.MemoryPool<byte>.Shared);
        connection.Start(received);
        handoff.Hand(connection);
    }

    /// <summary>Once a second, as Kestrel's heartbeat: connections past their deadline are closed.</summary>
    private void Tick()
    {
        var now = Environment.TickCount64;
        lock (_connections)
            foreach (var connection in _connections)
                connection.Tick(now);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        Interlocked.MemoryBarrier(); // pairs with the connection's: it sees the stop, or this sees it idle
        _listener?.Dispose();
        await _accepting;
        Task drained;
        lock (_connections)
        {
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_connections.Count == 0)
                _drained.TrySetResult();
            foreach (var connection in _connections)
                connection.Stop();
            drained = _drained.Task;
        }
        var kestrelStopped = kestrel.StopAsync(cancellationToken);
        try
        {
            // Busy connections finish their request (its response asks to close); past the grace, they are cut.
            await drained.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            lock (_connections)
                foreach (var connection in _connections)
                    connection.Cut();
        }
        await kestrelStopped;
        _heartbeat?.Dispose();
    }

    public void Dispose()
    {
        _stopping = true;
        _listener?.Dispose();
        _heartbeat?.Dispose();
        kestrel.Dispose();
    }
}

/// <summary>What the server needs of a connection, without its type parameter.</summary>
internal interface IHttp1Served
{
    /// <summary>Closes the connection if its deadline (<see cref="Environment.TickCount64"/>) has passed.</summary>
    void Tick(long now);

    /// <summary>The server stops: close now if idle, else after the response in progress.</summary>
    void Stop();

    /// <summary>Closes now, request in progress or not.</summary>
    void Cut();
}
