using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Hosting.Http1;

/// <summary>
/// The waypoint's own HTTP/1.1 server for one port (prototype): accepts on the socket engine's
/// thread and serves each connection there, without Kestrel's hand-off of every accepted connection
/// to the thread pool. The application is ASP.NET Core's (the same middleware and YARP forwarder).
/// </summary>
internal sealed class Http1Server(IPAddress address, int port) : IServer
{
    private Socket? _listener;
    private Task _accepting = Task.CompletedTask;
    private readonly CancellationTokenSource _stopping = new();
    private int _open;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            // What PortListeners reports as a port it could not bind, as with Kestrel.
            throw new IOException($"Failed to bind to address {address}:{port}: {e.Message}", new AddressInUseException(e.Message, e));
        }
        socket.Listen(512);
        _listener = socket;
        _accepting = AcceptAsync(application);
        return Task.CompletedTask;
    }

    private async Task AcceptAsync<TContext>(IHttpApplication<TContext> application) where TContext : notnull
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await _listener!.AcceptAsync(_stopping.Token);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException
                || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return;
            }
            catch (SocketException)
            {
                continue; // reset before it was accepted
            }
            accepted.NoDelay = true;
            Interlocked.Increment(ref _open);
            // Runs on this thread until its first read waits; then the accept loop goes on.
            _ = ServeAsync(new Http1Connection<TContext>(accepted, application, _stopping.Token));
        }
    }

    private async Task ServeAsync<TContext>(Http1Connection<TContext> connection) where TContext : notnull
    {
        try
        {
            await connection.RunAsync();
        }
        finally
        {
            if (Interlocked.Decrement(ref _open) == 0 && _stopping.IsCancellationRequested)
                _drained.TrySetResult();
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.Cancel();
        _listener?.Dispose();
        await _accepting;
        if (Volatile.Read(ref _open) == 0)
            return;
        // Idle connections close at once (their read is cancelled); busy ones finish their request.
        await _drained.Task.WaitAsync(cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener?.Dispose();
    }
}
