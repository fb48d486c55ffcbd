using System.Text.Json.Nodes;

namespace Kmesh.Ctl.Tests;

public sealed class StatusCommandTests : AdminServerTest
{
    [Fact]
    public async Task Status_Ready_ShowsSourceConfigAndChain()
    {
        var run = await CtlAsync("status", "-o", "table");

        Assert.Equal(0, run.Exit);
        Assert.Equal("", run.Stderr);
        run.Row("Ready", "yes");
        run.Row("Uptime", "1h 2m 5s");
        run.Row("Source", "xds 127.0.0.1:18000 (delta), connected");
        run.Row("Source versions", "clusters=7", "endpoints=7", "listeners=6", "routes=5");
        run.Row("Last NACK", "clusters at 2026-12-06 09:00:00.000Z: cluster x: lb_policy CLUSTER_PROVIDED is not supported");
        run.Row("Config version", "7 applied 2026-12-06 09:00:00.123Z");
        run.Row("Config", "3 listeners, 4 clusters, 5 endpoints, 1 routes");
        run.Row("routing", "1.1.0", "1.0", "yes", "connect4 slot 0, connect6 slot 0");
        run.Row("loadbalance", "1.2.0", "1.1", "no", "translator failed");
    }

    [Fact]
    public async Task Status_NotReady_ListsEveryReason()
    {
        Server.StatusJson = ContractDocuments.NotReadyStatus;

        var run = await CtlAsync("status", "-o", "table");

        Assert.Equal(0, run.Exit);
        run.Row("Ready", "no");
        run.Row("not ready", "no config applied yet");
        run.Row("not ready", "plugin loadbalance does not hold the config");
        run.Row("Source", "file /etc/kmesh/mesh.yaml");
        Assert.DoesNotContain("connected", run.Row("Source", "file"));
        run.Row("Config version", "none applied yet");
    }

    [Fact]
    public async Task Status_Json_IsTheDocumentAsServed()
    {
        var run = await CtlAsync("status", "-o", "json");

        Assert.Equal(0, run.Exit);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(ContractDocuments.ReadyStatus), JsonNode.Parse(run.Stdout)));
        Assert.Contains("\n  \"ready\": true", run.Stdout); // indented for people
    }

    [Fact]
    public async Task Status_PipedWithoutOutputOption_PrintsJsonForScripts()
    {
        var run = await CtlAsync("status");

        Assert.Equal(0, run.Exit);
        Assert.True(JsonNode.Parse(run.Stdout)!["ready"]!.GetValue<bool>());
    }
}
