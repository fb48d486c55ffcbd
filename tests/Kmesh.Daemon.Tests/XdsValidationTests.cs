using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// What Envoy rejects, the daemon NACKs: one malformed update per kind of rule, each over a real ADS
/// stream to the real daemon on the real kernel; after each, connects still reach the endpoints of
/// the last good version, and a good update afterwards applies.
/// </summary>
public sealed class XdsValidationTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>(kind, malformed mesh, what the NACK must say). Each is the served mesh with one thing broken.</summary>
    private static IEnumerable<(string Kind, string Config, string Expected)> Malformed()
    {
        var good = XdsMesh.Config();
        yield return ("malformed endpoint IP", XdsMesh.Config(["127.0.1.1", "999.0.0.1", "127.0.1.3"]),
            "cluster load assignment reviews: endpoints[0].lb_endpoints[1].endpoint.address.socket_address.address: malformed IP address: 999.0.0.1");
        // Today's lenient ACK would have taken reviews dark; the NACK keeps it serving.
        yield return ("every endpoint malformed", XdsMesh.Config(["999.0.0.1", "999.0.0.2"]), "malformed IP address: 999.0.0.2");
        yield return ("number out of range", ReplaceFirst(good, "load_balancing_weight: 1", "load_balancing_weight: 0"),
            "cluster load assignment reviews: endpoints[0].lb_endpoints[0].load_balancing_weight: value must be greater than or equal to 1");
        yield return ("rule inside an Any typed_config", ReplaceFirst(good, "stat_prefix: reviews", "stat_prefix: \"\""),
            "listener reviews: filter_chains[0].filters[0].typed_config.stat_prefix: value length must be at least 1 characters");
        yield return ("duration out of range", ReplaceFirst(good, "name: reviews\n  type: EDS\n", "name: reviews\n  type: EDS\n  connect_timeout: 0s\n"),
            "cluster reviews: connect_timeout: value must be greater than 0s");
        yield return ("repeated min_items", ReplaceFirst(good, "domains: [\"*\"]", "domains: []"),
            "route configuration web-routes: virtual_hosts[0].domains: value must contain at least 1 item(s)");
        yield return ("oneof required", ReplaceFirst(good, "route: { cluster: random }", "route: { timeout: 1s }"),
            "route configuration web-routes: virtual_hosts[0].routes[0].route.cluster_specifier: value is required");
        yield return ("required message missing", ReplaceFirst(good, "match: { prefix: \"/\" }", "name: no-match"),
            "route configuration web-routes: virtual_hosts[0].routes[0].match: value is required");
    }

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task MalformedUpdates_AreNackedNamingTheField_AndTheLastGoodConfigKeepsServing(string mode)
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(), mode);

        foreach (var (kind, config, expected) in Malformed())
        {
            Assert.True(config != XdsMesh.Config(), $"{kind}: the mutation did not apply");
            var before = run.Server.Events.Nacks.Count;
            await run.PublishAsync(config);
            var deadline = DateTime.UtcNow + ChangeTimeout;
            while (run.Server.Events.Nacks.Count == before && DateTime.UtcNow < deadline)
                await Task.Delay(50);

            var nack = run.Server.Events.Nacks.Skip(before).FirstOrDefault();
            Assert.True(nack is not null, $"{kind}: no NACK\n{run.Daemon.Log}");
            Assert.True(nack.Contains(expected, StringComparison.Ordinal), $"{kind}: the NACK says\n{nack}\nexpected\n{expected}");
            var reviews = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
            Assert.True(reviews.Count("reviews-a") == 10 && reviews.Count("reviews-b") == 10 && reviews.Count("reviews-c") == 10, $"{kind}: {reviews}");
            var web = await run.Client.DialAsync(XdsMesh.WebVip, TestMesh.Port, 30);
            Assert.True(web.Count("random-a") + web.Count("random-b") + web.Count("random-c") == 30, $"{kind}: {web}");
        }

        // A good version after all that applies.
        await run.PublishAsync(XdsMesh.Config(["127.0.1.4"]));
        var moved = await run.DialUntilAsync(TestMesh.ReviewsVip, 10, r => r.Count("reviews-d") == 10, ChangeTimeout);
        Assert.True(moved.Count("reviews-d") == 10, $"{moved}\n{run.Daemon.Log}");
    }

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        return at < 0 ? text : string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + old.Length));
    }
}
