using System.Net;
using System.Text.Json;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary><c>kmesh run --access-log</c>: a JSON line per closed and refused connection, in the file and live on <c>/accesslog</c>.</summary>
public sealed class AccessLogFileTests
{
    [KernelFact]
    public async Task ClosedAndRefusedConnections_AreLinesWithNamesFieldByField_InTheFileAndOnTheLiveStream()
    {
        var path = Path.Combine(Path.GetTempPath(), $"kmesh-access-{Guid.NewGuid():N}.log");
        try
        {
            await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--access-log", path]);
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            using var connecting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            using var live = await http.GetAsync(new Uri(await run.Daemon.AdminUrlAsync(), "/accesslog"), HttpCompletionOption.ResponseHeadersRead, connecting.Token);
            Assert.Equal("application/x-ndjson", live.Content.Headers.ContentType?.MediaType);
            using var liveLines = new StreamReader(await live.Content.ReadAsStreamAsync());

            var streamed = await run.Client.StreamAsync(TestMesh.ReviewsVip, TestMesh.Port, 4096);
            var refused = await run.Client.DialAsync(TestMesh.EmptyVip, TestMesh.Port, 2);
            Assert.Equal(4096, streamed.Received);
            Assert.Equal(2, refused.ErrorCount("EHOSTUNREACH"));

            var lines = await WaitForLinesAsync(path, 3);
            var closed = lines.Single(l => l.GetProperty("event").GetString() == "closed");
            Assert.Equal($"{TestMesh.ReviewsVip}:{TestMesh.Port}", closed.GetProperty("dialed").GetString());
            var upstream = IPEndPoint.Parse(closed.GetProperty("upstream").GetString()!);
            Assert.Contains(upstream.Address.ToString(), new[] { "127.0.1.1", "127.0.1.2", "127.0.1.3" });
            Assert.Equal(TestMesh.Port, upstream.Port);
            Assert.Equal("reviews", closed.GetProperty("cluster").GetString());
            Assert.Equal("reviews", closed.GetProperty("destination_service").GetString());
            Assert.Equal(4096, closed.GetProperty("bytes_sent").GetInt64());
            Assert.Equal(4096 + "reviews-a\n".Length, closed.GetProperty("bytes_received").GetInt64());
            Assert.True(closed.GetProperty("duration_ms").GetDouble() >= 0);
            Assert.True(IPEndPoint.Parse(closed.GetProperty("source").GetString()!).Port > 0);
            Assert.InRange(DateTimeOffset.Parse(closed.GetProperty("start_time").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                DateTimeOffset.UtcNow - TimeSpan.FromMinutes(2), DateTimeOffset.UtcNow);
            var refusals = lines.Where(l => l.GetProperty("event").GetString() == "refused").ToList();
            Assert.Equal(2, refusals.Count);
            Assert.All(refusals, r =>
            {
                Assert.Equal("no_endpoint", r.GetProperty("reason").GetString());
                Assert.Equal("EHOSTUNREACH", r.GetProperty("errno").GetString());
                Assert.Equal($"{TestMesh.EmptyVip}:{TestMesh.Port}", r.GetProperty("dialed").GetString());
                Assert.Equal("empty", r.GetProperty("destination_service").GetString());
            });

            // The live stream carries the same lines, in order.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            for (var i = 0; i < 3; i++)
            {
                var line = await liveLines.ReadLineAsync(timeout.Token);
                Assert.Equal(JsonSerializer.Serialize(lines[i]), JsonSerializer.Serialize(JsonDocument.Parse(line!).RootElement));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [KernelFact]
    public async Task WithoutAccessLog_TheLiveStreamSaysHowToTurnItOn()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        var (status, body) = await Admin.GetAsync(run.Daemon, "/accesslog");

        Assert.Equal(409, status);
        Assert.Contains("--access-log", body);
    }

    private static async Task<List<JsonElement>> WaitForLinesAsync(string path, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var lines = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).ToList() : [];
            if (lines.Count >= count || DateTime.UtcNow > deadline)
                return lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
            await Task.Delay(100);
        }
    }
}
