using System.Net;
using System.Net.Sockets;

namespace Kmesh.Ctl.Tests;

public sealed class ErrorAndUsageTests
{
    [Fact]
    public async Task NothingListening_OneLineAndExit1()
    {
        var port = FreePort();

        var run = await Ctl.RunAtAsync($"127.0.0.1:{port}", "status");

        Assert.Equal(1, run.Exit);
        Assert.Equal("", run.Stdout);
        Assert.Equal(
            $"kmesh ctl: cannot reach the admin API at http://127.0.0.1:{port} (connection refused): is the daemon running with --admin?" + Environment.NewLine,
            run.Stderr);
    }

    [Fact]
    public async Task DefaultAddress_IsTheContractsLoopbackPort()
    {
        var stdout = new CapturedWriter();
        var stderr = new CapturedWriter();
        // Nothing listens on 15200 in a test run (the daemon is not started here); if a daemon
        // does, the command succeeds and this test says so rather than passing by accident.
        var exit = await CtlCommand.RunAsync(["plugins"], stdout, stderr, CancellationToken.None);

        Assert.True(exit == 1, "a daemon answers on 127.0.0.1:15200; stop it to run this test");
        Assert.StartsWith("kmesh ctl: cannot reach the admin API at http://127.0.0.1:15200 (connection refused)", stderr.ToString());
    }

    [Fact]
    public async Task FullUrl_IsAcceptedAsAdminAddress()
    {
        await using var server = await AdminServer.StartAsync();

        var run = await Ctl.RunAtAsync(server.Address + "/", "log", "level");

        Assert.Equal(0, run.Exit);
        Assert.Equal(["info"], run.StdoutLines);
    }

    [Fact]
    public async Task HttpError_ServerMessageAndExit1_NoStackTrace()
    {
        await using var server = await AdminServer.StartAsync();
        server.StatusJson = "{ this is not json";

        var run = await Ctl.RunAsync(server, "status", "-o", "table");

        Assert.Equal(1, run.Exit);
        Assert.StartsWith("kmesh ctl: cannot read the answer of /status: ", run.Stderr);
        Assert.Single(run.Stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("   at ", run.Stderr);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("status", "-o", "yaml")]
    [InlineData("status", "--admin", "not an address")]
    [InlineData("status", "--admin", "localhost")]
    [InlineData("status", "--admin", "ftp://127.0.0.1:15200")]
    [InlineData("config", "dump", "secrets")]
    [InlineData("maps")]
    [InlineData("config")]
    [InlineData]
    public async Task BadUsage_ErrorAndUsageOnStderrAndExit2(params string[] args)
    {
        var stdout = new CapturedWriter();
        var stderr = new CapturedWriter();

        var exit = await CtlCommand.RunAsync(args, stdout, stderr, CancellationToken.None);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout.ToString());
        Assert.StartsWith("kmesh ctl: ", stderr.ToString());
        Assert.Contains("Usage:", stderr.ToString());
    }

    [Fact]
    public async Task Help_GoesToStdoutAndExit0()
    {
        var stdout = new CapturedWriter();
        var stderr = new CapturedWriter();

        var exit = await CtlCommand.RunAsync(["config", "dump", "--help"], stdout, stderr, CancellationToken.None);

        Assert.Equal(0, exit);
        Assert.Contains("--name", stdout.ToString());
        Assert.Contains("listeners", stdout.ToString());
    }

    [Theory]
    [InlineData("127.0.0.1:15200", "http://127.0.0.1:15200/")]
    [InlineData("[::1]:15200", "http://[::1]:15200/")]
    [InlineData("http://node-1:9000", "http://node-1:9000/")]
    [InlineData("https://node-1:9443/ignored/path", "https://node-1:9443/")]
    public void AdminAddress_HostPortOrUrl(string text, string baseUrl)
    {
        Assert.Equal(baseUrl, Admin.AdminAddress.TryParse(text, out var error)?.ToString());
        Assert.Null(error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
