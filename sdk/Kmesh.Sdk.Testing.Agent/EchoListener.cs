using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>
/// A TCP server that greets every connection with its name and a newline, then echoes until the
/// peer closes: a client learns who answered (the point of a mesh test) and can still exchange data.
/// A name holding <see cref="LocalPlaceholder"/> has it replaced by the address the connection
/// reached: one listener on a wildcard address then tells thousands of endpoints apart.
/// </summary>
internal sealed class EchoListener : IAsyncDisposable
{
    /// <summary>Replaced in the greeting by the accepted connection's local address and port.</summary>
    public const string LocalPlaceholder = "{local}";

    private readonly TcpListener _listener;
    private readonly byte[] _greeting;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private int _accepted;

    public EchoListener(string name, IPEndPoint endpoint)
    {
        Name = name;
        _greeting = Encoding.UTF8.GetBytes(name + "\n");
        _listener = new TcpListener(endpoint);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public string Name { get; }

    /// <summary>The bound port (differs from the requested one when that was 0).</summary>
    public int Port { get; }

    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // e.g. ECONNABORTED for a peer that gave up before accept
            }

            Interlocked.Increment(ref _accepted);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(Socket client)
    {
        await using var stream = new NetworkStream(client, ownsSocket: true);
        try
        {
            // Not tied to _stop: stopping a backend only stops accepting, like closing a server's
            // listening socket; connections in flight keep echoing until their peer closes.
            await stream.WriteAsync(Name.Contains(LocalPlaceholder, StringComparison.Ordinal)
                ? Encoding.UTF8.GetBytes(Name.Replace(LocalPlaceholder, client.LocalEndPoint?.ToString(), StringComparison.Ordinal) + "\n")
                : _greeting);
            await stream.CopyToAsync(stream);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away (reset): this connection is done.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _acceptLoop;
        _stop.Dispose();
    }
}
