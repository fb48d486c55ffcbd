using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// Both transports the waypoint can serve through (Kestrel's sockets one, and its own inline one,
/// Hosting/Transport), seen from outside: connections that close after one request, bodies larger
/// than the buffers, a client that goes away, and a port that is taken.
/// </summary>
public sealed class TransportTests
{
    private static readonly byte[] CloseRequest = "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"u8.ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EachConnectionClosingAfterOneRequestIsAnsweredThenClosedByTheWaypoint(bool inlineTransport)
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend, inlineTransport);

        // One after another, then many at once: each gets its whole answer and then the waypoint's FIN.
        for (var i = 0; i < 50; i++)
            AssertAnswered(await RequestOnNewConnectionAsync(waypoint.Port));
        var together = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => RequestOnNewConnectionAsync(waypoint.Port)));
        foreach (var answer in together)
            AssertAnswered(answer);
        Assert.Equal(100, backend.Requests);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BodiesLargerThanTheBuffersStreamBothWaysIntact(bool inlineTransport)
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            await context.Request.Body.CopyToAsync(context.Response.Body);
            return true;
        });
        await using var waypoint = await StartAsync(backend, inlineTransport);
        using var client = waypoint.Client("h");
        // Past the 1 MiB at which reading from the client pauses and the 64 KiB at which writing to it does.
        var body = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);

        using var response = await client.PostAsync("/echo", new ByteArrayContent(body));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AClientThatGoesAwayCancelsTheRequestUpstream(bool inlineTransport)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            started.TrySetResult();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
            }
            return true;
        });
        await using var waypoint = await StartAsync(backend, inlineTransport);

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(IPAddress.Loopback, waypoint.Port);
            await socket.SendAsync(CloseRequest);
            await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task APortAlreadyTakenIsReportedAndTheOthersAreServed(bool inlineTransport)
    {
        await using var backend = await Backend.StartAsync("b");
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var taken = ((IPEndPoint)squatter.LocalEndpoint).Port;
        var logs = new List<string>();
        var mesh = MeshJson.Resources(
            [MeshJson.Listener("0.0.0.0", MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""")),
             MeshJson.Listener("0.0.0.0", MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""")).Replace("{PORT}", taken.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            MeshJson.Cluster("b", backend));

        await using var waypoint = await WaypointRun.StartAsync(mesh, logs, o => o with { InlineTransport = inlineTransport });
        using var client = waypoint.Client("h");

        Assert.Equal("b", await client.GetStringAsync("/"));
        lock (logs)
            Assert.Contains(logs, l => l.Contains($"cannot listen on 127.0.0.1:{taken}", StringComparison.Ordinal));
    }

    private static void AssertAnswered(string answer)
    {
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        // The backend's body "b", chunked, through to the last chunk.
        Assert.EndsWith("\r\n\r\n1\r\nb\r\n0\r\n\r\n", answer, StringComparison.Ordinal);
    }

    /// <summary>Sends one request that asks to close, and reads until the waypoint closes (a hang here is a connection never closed).</summary>
    private static async Task<string> RequestOnNewConnectionAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
        await socket.SendAsync(CloseRequest, timeout.Token);
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await socket.ReceiveAsync(buffer, timeout.Token)) > 0)
            answer.Write(buffer, 0, read);
        return Encoding.ASCII.GetString(answer.ToArray());
    }

    private static Task<WaypointRun> StartAsync(Backend backend, bool inlineTransport) =>
        WaypointRun.StartAsync(MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}"""), MeshJson.Cluster("b", backend)),
            options: o => o with { InlineTransport = inlineTransport });
}
