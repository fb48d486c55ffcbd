using System.Text.Json.Nodes;

namespace Kmesh.Ctl.Tests;

public sealed class PluginsAndMapsCommandTests : AdminServerTest
{
    [Fact]
    public async Task Plugins_ShowStateReasonHooksAndCounters()
    {
        var run = await CtlAsync("plugins", "-o", "table");

        Assert.Equal(0, run.Exit);
        run.Row("NAME", "VERSION", "ABI", "STATE", "REASON", "HOOKS", "COUNTERS");
        run.Row("routing", "1.1.0", "active", "connect4:0 connect6:0");
        // A u64 counter past long.MaxValue is shown as the daemon counted it.
        run.Row("loadbalance", "isolated", "translator threw: cluster reviews: no endpoints", "connect4:1 sockops:0", "connections=12 ejections=18446744073709551615");
        run.Row("faultinject", "left_out", "ABI 2.0 is newer than the core's 1.1");
    }

    [Fact]
    public async Task Plugins_Json_RoundTrips()
    {
        var run = await CtlAsync("plugins", "-o", "json");

        Assert.Equal(0, run.Exit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ContractDocuments.Plugins), JsonNode.Parse(run.Stdout)));
    }

    [Fact]
    public async Task Maps_ListShowsFillOfEachMap()
    {
        var run = await CtlAsync("maps", "loadbalance", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Equal("GET /maps/loadbalance", Server.Requests.Single());
        run.Row("lb_schedule", "hash", "8 B", "24 B", "131072", "262144", "50%");
        run.Row("lb_clusters", "percpu_array", "3", "1024", "0.3%");
    }

    [Fact]
    public async Task Maps_EntriesAreRenderedCompactly()
    {
        var run = await CtlAsync("maps", "loadbalance", "lb_schedule", "--limit", "3", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Equal("GET /maps/loadbalance/lb_schedule?limit=3", Server.Requests.Single());
        run.Row("cluster_id=3 slot=0", "addr=[33554559,0,0,0] port=36895 family=2");
        run.Row("cluster_id=3 slot=1", "addr=[50331775,0,0,0]");
        // No BTF: the key is hex; a per-CPU value is one object per CPU.
        run.Row("0a0b0c0d", "[{hits=1} {hits=2}]");
        run.Row("loadbalance/lb_schedule (hash): 120 of 262144 entries, 3 shown (truncated");
    }

    [Fact]
    public async Task Maps_Json_RoundTrips()
    {
        var run = await CtlAsync("maps", "loadbalance", "lb_schedule", "-o", "json");

        Assert.Equal(0, run.Exit);
        Assert.Equal("GET /maps/loadbalance/lb_schedule", Server.Requests.Single());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ContractDocuments.ScheduleEntries), JsonNode.Parse(run.Stdout)));
    }

    [Fact]
    public async Task Maps_UnknownPlugin_ServerMessageAndExit1()
    {
        var run = await CtlAsync("maps", "nosuch");

        Assert.Equal(1, run.Exit);
        Assert.Equal("", run.Stdout);
        Assert.Equal(["kmesh ctl: no plugin 'nosuch' in the chain (HTTP 404 from /maps/nosuch)"], run.Stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("many")]
    public async Task Maps_BadLimit_IsAUsageError(string limit)
    {
        var run = await CtlAsync("maps", "loadbalance", "lb_schedule", "--limit", limit);

        Assert.Equal(2, run.Exit);
        Assert.Contains("Usage:", run.Stderr);
        Assert.Empty(Server.Requests);
    }
}
