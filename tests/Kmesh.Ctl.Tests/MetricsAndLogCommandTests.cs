namespace Kmesh.Ctl.Tests;

public sealed class MetricsAndLogCommandTests : AdminServerTest
{
    [Fact]
    public async Task Metrics_PrintsSamplesWithoutHelpAndType()
    {
        var run = await CtlAsync("metrics");

        Assert.Equal(0, run.Exit);
        Assert.Equal(
            [
                "istio_tcp_connections_opened_total{reporter=\"source\",destination_service=\"reviews.default.svc.cluster.local\"} 12",
                "istio_tcp_connections_opened_total{reporter=\"source\",destination_service=\"ratings.default.svc.cluster.local\"} 3",
                "kmesh_ready 1",
            ],
            run.StdoutLines);
    }

    [Fact]
    public async Task Metrics_FilterKeepsOnlyLinesContainingText()
    {
        var run = await CtlAsync("metrics", "--filter", "ratings");

        Assert.Equal(0, run.Exit);
        Assert.Equal(["istio_tcp_connections_opened_total{reporter=\"source\",destination_service=\"ratings.default.svc.cluster.local\"} 3"], run.StdoutLines);
    }

    [Fact]
    public async Task LogLevel_Alone_PrintsTheCurrentLevel()
    {
        var run = await CtlAsync("log", "level");

        Assert.Equal(0, run.Exit);
        Assert.Equal(["info"], run.StdoutLines);
        Assert.Equal("GET /logging", Server.Requests.Single());
    }

    [Fact]
    public async Task LogLevel_Set_PostsAndPrintsTheNewLevel()
    {
        var run = await CtlAsync("log", "level", "debug");

        Assert.Equal(0, run.Exit);
        Assert.Equal(["debug"], run.StdoutLines);
        Assert.Equal("POST /logging?level=debug", Server.Requests.Single());
        Assert.Equal("debug", Server.LogLevel);
    }

    [Fact]
    public async Task LogLevel_Unknown_IsAUsageErrorNamingTheLevels()
    {
        var run = await CtlAsync("log", "level", "loud");

        Assert.Equal(2, run.Exit);
        Assert.Contains("loud", run.Stderr);
        Assert.Contains("warning", run.Stderr);
        Assert.Empty(Server.Requests);
        Assert.Equal("info", Server.LogLevel);
    }

    [Theory]
    [InlineData("warning", "warning")]
    [InlineData("\"error\"", "error")]
    [InlineData("{\"level\":\"trace\"}", "trace")]
    [InlineData("  off\n", "off")]
    public void LevelIn_ReadsTextOrJson(string answer, string level)
    {
        Assert.Equal(level, Commands.LogCommand.LevelIn(answer));
    }
}
