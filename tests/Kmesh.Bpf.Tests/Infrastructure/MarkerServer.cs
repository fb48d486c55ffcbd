using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// A loopback TCP listener that answers every connection with its marker and closes, so a
/// client can tell which address it really reached.
/// </summary>
public sealed class MarkerServer : IDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Listens on <paramref name="address"/> (loopback only) on an ephemeral port.</summary>
    public MarkerServer(string address, string marker)
    {
        var ip = IPAddress.Parse(address);
        if (!IPAddress.IsLoopback(ip))
            throw new ArgumentException("Tests only listen on loopback.", nameof(address));
        Marker = marker;
        _listener = new TcpListener(ip, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; }

    /// <summary>What it writes to every client.</summary>
    public string Marker { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    private int _accepted;

    private async Task AcceptLoop()
    {
        byte[] payload = Encoding.ASCII.GetBytes(Marker + "\n");
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                await client.GetStream().WriteAsync(payload, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (SocketException)
            {
                // A client that went away early; keep serving.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Stops listening.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
    }
}
