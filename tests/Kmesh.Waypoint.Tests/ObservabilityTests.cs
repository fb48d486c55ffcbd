using System.Net;
using System.Text.Json;

namespace Kmesh.Waypoint.Tests;

/// <summary>The waypoint's admin endpoint and access log: Istio's HTTP metrics, one JSON line per request.</summary>
public sealed class ObservabilityTests
{
    [Fact]
    public async Task IstioRequestMetricsCountEachResponseCodeByDestinationService_AndEachRequestIsLogged()
    {
        const string Reviews = "outbound|9080|v1|reviews.default.svc.cluster.local";
        await using var backend = await Backend.StartAsync("reviews-v1");
        var adminPort = WaypointRun.FreePort();
        var logPath = Path.Combine(Path.GetTempPath(), $"kmesh-waypoint-log-{Guid.NewGuid():N}.jsonl");
        try
        {
            await using (var waypoint = await WaypointRun.StartAsync(
                MeshJson.Mesh(
                    MeshJson.VirtualHost("reviews", ["reviews"],
                        """{"name": "missing", "match": {"prefix": "/missing"}, "direct_response": {"status": 404}}""",
                        """{"name": "default", "match": {"prefix": "/"}, "route": {"cluster": "CLUSTER"} }""".Replace("CLUSTER", Reviews)),
                    MeshJson.Cluster(Reviews, backend)),
                options: o => o with { Admin = new IPEndPoint(IPAddress.Loopback, adminPort), AccessLogPath = logPath }))
            {
                using var client = waypoint.Client("reviews");
                for (var i = 0; i < 3; i++)
                    (await client.GetAsync("/reviews/1")).Dispose();
                (await client.GetAsync("/missing")).Dispose();
                using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{adminPort}") };

                Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/ready")).StatusCode);
                var metrics = await admin.GetStringAsync("/stats/prometheus");

                Assert.Matches("istio_requests_total\\{[^}]*destination_service=\"reviews.default.svc.cluster.local\"[^}]*response_code=\"200\"[^}]*\\} 3", metrics);
                Assert.Matches("istio_requests_total\\{[^}]*response_code=\"404\"[^}]*\\} 1", metrics);
                Assert.Matches("istio_request_duration_milliseconds_count\\{[^}]*destination_version=\"v1\"[^}]*\\} 3", metrics);
                Assert.Contains("reporter=\"waypoint\"", metrics);
            }
            // Disposed: the log is flushed and closed.
            var lines = (await File.ReadAllLinesAsync(logPath)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
            Assert.Equal(4, lines.Count);
            var first = lines[0];
            Assert.Equal("GET", first.GetProperty("method").GetString());
            Assert.Equal("/reviews/1", first.GetProperty("path").GetString());
            Assert.Equal(200, first.GetProperty("response_code").GetInt32());
            Assert.Equal(Reviews, first.GetProperty("upstream_cluster").GetString());
            Assert.Equal($"http://127.0.0.1:{backend.Port}", first.GetProperty("upstream_host").GetString());
            Assert.Equal("reviews.default.svc.cluster.local", first.GetProperty("destination_service").GetString());
            Assert.Equal("missing", lines[3].GetProperty("route_name").GetString());
        }
        finally
        {
            File.Delete(logPath);
        }
    }
}
