using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Hosting.Transport;

/// <summary>
/// One accepted TCP connection as Kestrel sees it: two pipes pumped by a receive loop and a send
/// loop. Every continuation runs inline (pipes with inline schedulers, socket completions inline
/// as <see cref="InlineSocketCompletions"/> sets up), and, unlike Kestrel's socket transport, so
/// does the close: the send loop ends the socket with a shutdown, which completes the pending
/// receive on the socket engine's thread, and that thread fires <see cref="ConnectionClosed"/>.
/// Nothing is queued to the thread pool, so a connection's end wakes no other thread.
/// </summary>
internal sealed class InlineConnection : ConnectionContext,
    IConnectionIdFeature, IConnectionTransportFeature, IConnectionItemsFeature, IMemoryPoolFeature,
    IConnectionLifetimeFeature, IConnectionEndPointFeature, IConnectionSocketFeature
{
    // Kestrel's socket transport's defaults: reads pause at 1 MiB buffered, writes at 64 KiB.
    private const long MaxReadBuffer = 1024 * 1024;
    private const long MaxWriteBuffer = 64 * 1024;
    private const int MinReceiveBuffer = 2048;

    private static long s_lastId;

    private readonly Socket _socket;
    private readonly CancellationTokenSource _closed = new();
    private readonly IDuplexPipe _application;
    private IDictionary<object, object?>? _items;
    private string? _connectionId;
    private Task _processing = Task.CompletedTask;
    private ConnectionAbortedException? _abortReason;
    private int _shutDown;

    public InlineConnection(Socket socket, MemoryPool<byte> pool)
    {
        _socket = socket;
        MemoryPool = pool;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        ConnectionClosed = _closed.Token;
        var input = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, MaxReadBuffer, MaxReadBuffer / 2, useSynchronizationContext: false));
        var output = new Pipe(new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, MaxWriteBuffer, MaxWriteBuffer / 2, useSynchronizationContext: false));
        Transport = new DuplexPipe(input.Reader, output.Writer);
        _application = new DuplexPipe(output.Reader, input.Writer);
        Features = new FeatureCollection(12);
        Features.Set<IConnectionIdFeature>(this);
        Features.Set<IConnectionTransportFeature>(this);
        Features.Set<IConnectionItemsFeature>(this);
        Features.Set<IMemoryPoolFeature>(this);
        Features.Set<IConnectionLifetimeFeature>(this);
        Features.Set<IConnectionEndPointFeature>(this);
        Features.Set<IConnectionSocketFeature>(this);
    }

    public override string ConnectionId
    {
        get => _connectionId ??= "wp" + Interlocked.Increment(ref s_lastId).ToString("x", CultureInfo.InvariantCulture);
        set => _connectionId = value;
    }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public MemoryPool<byte> MemoryPool { get; }

    public Socket Socket => _socket;

    public void Start() => _processing = RunAsync();

    /// <summary>
    /// Starts a connection whose first bytes were already read from the socket (by the waypoint's
    /// own HTTP/1.1 server, handing over a connection it does not serve): Kestrel reads them first.
    /// </summary>
    public void Start(ReadOnlySpan<byte> received)
    {
        if (!received.IsEmpty)
        {
            var input = _application.Output;
            received.CopyTo(input.GetSpan(received.Length));
            input.Advance(received.Length);
            _ = input.FlushAsync(); // completes at once: far below the pipe's pause threshold
        }
        Start();
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abortReason ??= abortReason;
        Shutdown();
        // Ends the send loop if it waits for the application's next write.
        _application.Input.CancelPendingRead();
    }

    /// <summary>Kestrel calls this once its connection middleware has returned.</summary>
    public override async ValueTask DisposeAsync()
    {
        Transport.Input.Complete();
        Transport.Output.Complete();
        await _processing;
        _closed.Dispose();
    }

    private async Task RunAsync()
    {
        var receiving = ReceiveAsync();
        var sending = SendAsync();
        await receiving;
        await sending;
        _socket.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var input = _application.Output;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Wait for bytes before taking a buffer: an idle keep-alive connection holds none.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var received = await _socket.ReceiveAsync(input.GetMemory(MinReceiveBuffer), SocketFlags.None);
                if (received == 0)
                    break; // the peer's FIN, or our own shutdown
                input.Advance(received);
                var flushed = await input.FlushAsync();
                if (flushed.IsCompleted || flushed.IsCanceled)
                    break;
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.Shutdown)
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e)
        {
            error = e;
        }
        // An abort's reason wins: what failed after it is its consequence.
        await input.CompleteAsync(_abortReason ?? error);
        FireClosed();
    }

    private async Task SendAsync()
    {
        var output = _application.Input;
        Exception? error = null;
        try
        {
            while (true)
            {
                var read = await output.ReadAsync();
                if (read.IsCanceled)
                    break;
                var buffer = read.Buffer;
                foreach (var segment in buffer)
                    await _socket.SendAsync(segment, SocketFlags.None);
                output.AdvanceTo(buffer.End);
                if (read.IsCompleted)
                    break;
            }
        }
        catch (Exception e)
        {
            error = e;
        }
        Shutdown();
        await output.CompleteAsync(error);
        // A receive loop waiting for the application to read on would otherwise wait forever.
        _application.Output.CancelPendingFlush();
    }

    /// <summary>
    /// Sends FIN and ends reading. The pending receive then completes (with 0 bytes) on the socket
    /// engine's thread; the socket is disposed once both loops are done, so no operation is aborted
    /// (an aborted operation's completion is queued to the thread pool).
    /// </summary>
    private void Shutdown()
    {
        if (Interlocked.Exchange(ref _shutDown, 1) != 0)
            return;
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already reset by the peer, or closed: nothing left to shut down.
        }
    }

    /// <summary>
    /// Fires <see cref="ConnectionClosed"/> on this thread. Its callbacks are Kestrel's (abort the
    /// request in flight) and the proxy's (cancel the upstream call); none of them blocks.
    /// </summary>
    private void FireClosed()
    {
        try
        {
            _closed.Cancel();
        }
        catch (AggregateException)
        {
            // A callback failed; the connection is gone either way.
        }
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
