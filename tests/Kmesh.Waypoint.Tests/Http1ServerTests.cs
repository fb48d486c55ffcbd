using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// The waypoint's own HTTP/1.1 server (Hosting/Http1) seen from a raw socket: the HTTP/1.1 a
/// client may send (pipelined requests, Expect: 100-continue, Connection: close, HEAD, chunked
/// bodies both ways, upgrades, which go to Kestrel), what it must refuse (400, 414, 431), and a stop
/// that lets the request in flight finish.
/// </summary>
public sealed class Http1ServerTests
{
    [Fact]
    public async Task PipelinedRequestsAreAnsweredInOrderOnOneConnection()
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            await context.Response.WriteAsync("path " + context.Request.Path);
            return true;
        });
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("GET /one HTTP/1.1\r\nHost: h\r\n\r\nGET /two HTTP/1.1\r\nHost: h\r\n\r\nGET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var answer = await client.ReadToEndAsync();

        Assert.Equal(3, CountOf(answer, "HTTP/1.1 200 OK\r\n"));
        Assert.True(answer.IndexOf("path /one", StringComparison.Ordinal) < answer.IndexOf("path /two", StringComparison.Ordinal)
            && answer.IndexOf("path /two", StringComparison.Ordinal) < answer.IndexOf("path /three", StringComparison.Ordinal), answer);
        Assert.Equal(3, backend.Requests);
    }

    [Fact]
    public async Task ConnectionCloseIsAnsweredWithCloseAndTheWaypointCloses()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var answer = await client.ReadToEndAsync(); // a hang here is a connection never closed

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadIsAnsweredWithoutABodyAndTheConnectionServesTheNextRequest()
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            context.Response.ContentLength = 5;
            if (!HttpMethods.IsHead(context.Request.Method))
                await context.Response.WriteAsync("hello");
            return true;
        });
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("HEAD / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var answer = await client.ReadToEndAsync();

        var second = answer.IndexOf("HTTP/1.1 200", 1, StringComparison.Ordinal);
        Assert.True(second > 0, answer);
        var head = answer[..second];
        Assert.Contains("Content-Length: 5\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\n", head, StringComparison.Ordinal); // nothing after the HEAD response's headers
        Assert.EndsWith("\r\n\r\nhello", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChunkedRequestBodyArrivesWholeAndAResponseOfUnknownLengthIsChunked()
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            await context.Response.WriteAsync("got " + body);
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync("!");
            return true;
        });
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n");
        var answer = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nTransfer-Encoding: chunked\r\n", answer, StringComparison.Ordinal);
        Assert.Equal("got hello world!", Unchunk(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]));
    }

    [Fact]
    public async Task ExpectContinueIsAnsweredBeforeTheBodyIsSent()
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            await context.Response.WriteAsync("got " + await new StreamReader(context.Request.Body).ReadToEndAsync());
            return true;
        });
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
        var interim = await client.ReadAsync();
        await client.SendAsync("body");
        var answer = await client.ReadToEndAsync();

        Assert.Equal("HTTP/1.1 100 Continue\r\n\r\n", interim);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("got body", Unchunk(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // Kestrel alone: the behaviour the hand-over keeps
    public async Task AWebSocketUpgradeIsHandedToKestrelAndCarriesBytesBothWays(bool http1Server)
    {
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            var upgrade = context.Features.Get<IHttpUpgradeFeature>()!;
            if (!upgrade.IsUpgradableRequest)
                return false;
            await using var stream = await upgrade.UpgradeAsync();
            var buffer = new byte[4];
            await stream.ReadExactlyAsync(buffer);
            await stream.WriteAsync(Encoding.ASCII.GetBytes("echo " + Encoding.ASCII.GetString(buffer)));
            return true;
        });
        await using var waypoint = await StartAsync(backend, http1Server);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        // A plain request first: the own server serves it, then hands the connection over at the upgrade.
        await client.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await client.ReadUntilAsync(LastChunk), StringComparison.Ordinal);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        var switched = await client.ReadUntilAsync("\r\n\r\n");
        await client.SendAsync("ping");
        var echoed = switched[(switched.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        while (echoed.Length < "echo ping".Length)
            echoed += await client.ReadAsync(); // the upgraded stream stays open until the client closes it

        Assert.StartsWith("HTTP/1.1 101 Switching Protocols\r\n", switched, StringComparison.Ordinal);
        Assert.Equal("echo ping", echoed);
    }

    [Theory]
    [InlineData("GARBAGE\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\n\r\n")] // HTTP/1.1 without Host
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost : h\r\n\r\n")]
    [InlineData("GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n")]
    [InlineData("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n")]
    [InlineData("GET http://other/ HTTP/1.1\r\nHost: h\r\n\r\n")]
    public async Task ABadRequestIsAnswered400AndNeverReachesTheBackend(string request)
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync(request);
        var answer = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    [Theory]
    [InlineData(9 * 1024, 0, 414)] // past the 8 KiB request line
    [InlineData(10, 41 * 1024, 431)] // past the 32 KiB of headers
    public async Task AnOversizedHeadIsRefusedAsKestrelWould(int pathLength, int headerLength, int status) =>
        await AssertRefusedAsync($"GET /{new string('p', pathLength)} HTTP/1.1\r\nHost: h\r\n{(headerLength > 0 ? $"x-big: {new string('a', headerLength)}\r\n" : "")}\r\n", status);

    [Fact]
    public Task AnUnknownHttpVersionIsAnswered505() => AssertRefusedAsync("GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505);

    private static async Task AssertRefusedAsync(string request, int status)
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync(request);
        var answer = await client.ReadToEndAsync();

        Assert.StartsWith($"HTTP/1.1 {status} ", answer, StringComparison.Ordinal);
        Assert.Equal(0, backend.Requests);
    }

    [Fact]
    public async Task AbsoluteFormTargetsAndEscapedPathsReachTheBackendAsKestrelGivesThem()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend);
        using var client = await RawClient.ConnectAsync(waypoint.Port);

        await client.SendAsync("GET http://h/a%20b%2Fc?q=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
        var answer = await client.ReadToEndAsync();

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        // The space decoded, the escaped slash kept escaped (it is not a segment separator), the query as sent.
        Assert.Contains("\r\nx-seen-path: /a%20b%2Fc?q=1\r\n", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoppingLetsTheRequestInFlightFinishAndClosesIdleConnections()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await Backend.StartAsync("b", behaviour: async (_, context) =>
        {
            if (context.Request.Path == "/quick")
                return false;
            started.TrySetResult();
            await release.Task;
            await context.Response.WriteAsync("finished");
            return true;
        });
        var waypoint = await StartAsync(backend);
        using var neverAsked = await RawClient.ConnectAsync(waypoint.Port);
        using var idle = await RawClient.ConnectAsync(waypoint.Port);
        await idle.SendAsync("GET /quick HTTP/1.1\r\nHost: h\r\n\r\n");
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", await idle.ReadUntilAsync(LastChunk), StringComparison.Ordinal);
        using var busy = await RawClient.ConnectAsync(waypoint.Port);
        await busy.SendAsync("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var stopping = waypoint.DisposeAsync().AsTask();
        // Closed without a word, at once: were they closed only when the stop's grace ran out, the busy one would be cut too.
        Assert.Equal("", await neverAsked.ReadToEndAsync());
        Assert.Equal("", await idle.ReadToEndAsync());
        Assert.False(stopping.IsCompleted);
        release.SetResult();
        var answer = await busy.ReadToEndAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: close\r\n", answer, StringComparison.Ordinal);
        Assert.EndsWith("finished", Unchunk(answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]), StringComparison.Ordinal);
    }

    /// <summary>The end of a chunked body (the backend's default answer is chunked).</summary>
    private const string LastChunk = "\r\n0\r\n\r\n";

    private static Task<WaypointRun> StartAsync(Backend backend, bool http1Server = true) =>
        WaypointRun.StartAsync(MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}"""), MeshJson.Cluster("b", backend)),
            options: o => o with { Http1Server = http1Server });

    private static int CountOf(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>A chunked body's data (or the body as it is, when it is not chunked).</summary>
    private static string Unchunk(string body)
    {
        var data = new StringBuilder();
        while (body.Length > 0)
        {
            var lineEnd = body.IndexOf("\r\n", StringComparison.Ordinal);
            if (lineEnd < 0 || !int.TryParse(body[..lineEnd], System.Globalization.NumberStyles.HexNumber, null, out var size))
                return data.Length == 0 ? body : data.ToString();
            if (size == 0)
                break;
            data.Append(body, lineEnd + 2, size);
            body = body[(lineEnd + 2 + size + 2)..];
        }
        return data.ToString();
    }

    /// <summary>A client socket that sends and reads text, with a time limit on every read.</summary>
    private sealed class RawClient : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        public static async Task<RawClient> ConnectAsync(int port)
        {
            var client = new RawClient();
            await client._socket.ConnectAsync(IPAddress.Loopback, port);
            return client;
        }

        public Task SendAsync(string text) => _socket.SendAsync(Encoding.ASCII.GetBytes(text));

        /// <summary>What one receive gives (a whole small response, on loopback).</summary>
        public async Task<string> ReadAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var buffer = new byte[64 * 1024];
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read);
        }

        /// <summary>Reads until what was read ends with <paramref name="ending"/> (a response may come in several sends).</summary>
        public async Task<string> ReadUntilAsync(string ending)
        {
            var text = "";
            while (!text.EndsWith(ending, StringComparison.Ordinal))
            {
                var more = await ReadAsync();
                if (more.Length == 0)
                    break;
                text += more;
            }
            return text;
        }

        /// <summary>Everything until the waypoint closes the connection.</summary>
        public async Task<string> ReadToEndAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var answer = new MemoryStream();
            var buffer = new byte[64 * 1024];
            int read;
            try
            {
                while ((read = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token)) > 0)
                    answer.Write(buffer, 0, read);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Closed with unread bytes of ours in its buffer: still closed.
            }
            return Encoding.ASCII.GetString(answer.ToArray());
        }

        public void Dispose() => _socket.Dispose();
    }
}
