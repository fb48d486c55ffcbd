using Google.Protobuf;
using Kmesh.Envoy.Api;
using EnvoyConfigDump = Envoy.Admin.V3.ConfigDump;

namespace Kmesh.Ctl.Tests;

public sealed class ConfigDumpCommandTests : AdminServerTest
{
    [Fact]
    public async Task Listeners_ShowAddressAndWhereChainsSendTraffic()
    {
        var run = await CtlAsync("config", "dump", "listeners", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Equal("GET /config_dump?resource=dynamic_listeners", Server.Requests.Single());
        run.Row("NAME", "ADDRESS", "CHAINS", "DESTINATION");
        run.Row("10.96.0.10_9080", "10.96.0.10:9080", " 1 ", "tcp: " + MeshDump.Reviews);
        run.Row("0.0.0.0_9081", "0.0.0.0:9081", "http: route 9081");
    }

    [Fact]
    public async Task Clusters_ShowTypePolicyAndEndpointCountFromEds()
    {
        var run = await CtlAsync("config", "dump", "clusters", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Contains("GET /config_dump?resource=dynamic_active_clusters", Server.Requests);
        run.Row(MeshDump.Reviews + " ", "EDS", "MAGLEV", " 2");
        run.Row(MeshDump.ReviewsV2, "EDS", "ROUND_ROBIN", " 1");
        run.Row(MeshDump.Ratings, "STATIC", "LEAST_REQUEST", " 3");
    }

    [Fact]
    public async Task Endpoints_OneRowPerEndpointWithWeightAndHealth()
    {
        var run = await CtlAsync("config", "dump", "endpoints", "-o", "table");

        Assert.Equal(0, run.Exit);
        run.Row(MeshDump.Reviews + " ", "10.244.1.7:9080", " 3 ", "HEALTHY");
        run.Row(MeshDump.Reviews + " ", "10.244.2.9:9080", " 1 ", "UNHEALTHY");
        run.Row(MeshDump.ReviewsV2, "10.244.3.4:9080", "UNKNOWN");
    }

    [Fact]
    public async Task Routes_ShowVirtualHostsDomainsAndClusters()
    {
        var run = await CtlAsync("config", "dump", "routes", "-o", "table");

        Assert.Equal(0, run.Exit);
        run.Row("9081", "reviews.default.svc.cluster.local:9081", "reviews.default.svc.cluster.local,reviews", $"{MeshDump.Reviews} (90), {MeshDump.ReviewsV2} (10)");
    }

    [Fact]
    public async Task All_ShowsEveryKindUnderItsHeading()
    {
        var run = await CtlAsync("config", "dump", "-o", "table");

        Assert.True(run.Exit == 0, run.Stderr);
        Assert.Equal("GET /config_dump", Server.Requests.Single());
        var headings = run.StdoutLines.Where(l => l.EndsWith(':')).ToArray();
        Assert.Equal(["LISTENERS:", "CLUSTERS:", "ENDPOINTS:", "ROUTES:"], headings);
        run.Row("10.96.0.10_9080", "10.96.0.10:9080");
        run.Row(MeshDump.Ratings, "STATIC");
    }

    [Fact]
    public async Task Name_IsSentAsNameRegexAndOnlyMatchesAreShown()
    {
        var run = await CtlAsync("config", "dump", "clusters", "--name", "ratings|v2", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Contains("GET /config_dump?resource=dynamic_active_clusters&name_regex=ratings%7Cv2", Server.Requests);
        run.Row(MeshDump.Ratings);
        run.Row(MeshDump.ReviewsV2);
        Assert.DoesNotContain(run.StdoutLines, l => l.Contains(MeshDump.Reviews + " ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Json_RoundTripsToTheSameEnvoyConfigDump()
    {
        var run = await CtlAsync("config", "dump", "-o", "json");

        Assert.True(run.Exit == 0, run.Stderr);
        var parser = new JsonParser(JsonParser.Settings.Default.WithTypeRegistry(ConfigDumpServer.Registry));
        Assert.Equal(Server.ConfigDump.Dump, parser.Parse<EnvoyConfigDump>(run.Stdout));
        Assert.Contains("\"dynamic_active_clusters\"", run.Stdout);
    }

    [Fact]
    public async Task RealIstioDump_UnknownExtensionsDoNotStopTheTables()
    {
        // istioctl's testdata: a waypoint's dump with Istio's own filters, secrets and a bootstrap.
        Server.ConfigDump = ConfigDumpServer.Raw(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", "istio-config-dump.json")));

        var run = await CtlAsync("config", "dump", "-o", "table");

        Assert.True(run.Exit == 0, run.Stderr);
        run.Row("main_internal", "(internal)", "tcp: encap", "istio.metadata_exchange");
        run.Row("agent ", "STATIC");
        run.Row("inbound-vip|8000|http|httpbin.default.svc.cluster.local", "EDS");
        run.Row("prometheus_stats", "127.0.0.1:15000");
    }

    [Fact]
    public async Task UnknownResourceField_ServerMessageAndExit1()
    {
        Server.ConfigDump = new ConfigDumpServer(new EnvoyConfigDump());

        var run = await CtlAsync("config", "dump", "clusters", "-o", "table");

        Assert.Equal(1, run.Exit);
        Assert.Equal("kmesh ctl: dynamic_active_clusters not found in config dump (HTTP 404 from /config_dump?resource=dynamic_active_clusters)", run.Stderr.Trim());
    }

    [Fact]
    public async Task BadRegex_IsAUsageError()
    {
        var run = await CtlAsync("config", "dump", "--name", "(unclosed");

        Assert.Equal(2, run.Exit);
        Assert.Contains("--name: not a regular expression", run.Stderr);
        Assert.Empty(Server.Requests);
    }

    [Fact]
    public void TypeRegistry_KnowsTheDumpTypes()
    {
        Assert.NotNull(EnvoyTypes.Registry.Find("envoy.admin.v3.ClustersConfigDump"));
    }
}
