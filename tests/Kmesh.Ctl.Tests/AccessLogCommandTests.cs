using System.Threading.Channels;

namespace Kmesh.Ctl.Tests;

public sealed class AccessLogCommandTests : AdminServerTest
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Stream_PrintsEachLineAsItArrivesAndEndsCleanlyOnCancel()
    {
        var (stdout, stderr, cancel, run) = Start("accesslog", "--follow", "-o", "table");

        await Server.AccessLog!.Writer.WriteAsync(ContractDocuments.ClosedConnection);
        var first = await LineAsync(stdout, 1);
        Assert.Equal(
            "09:00:00.123 closed  10.0.0.5:41234 → 10.96.0.10:9080 → 10.244.1.7:9080  reviews.default.svc.cluster.local  sent=120B received=4096B  12.5ms",
            first);

        // The second line is written only after the first was printed: the CLI does not wait for the end.
        await Server.AccessLog.Writer.WriteAsync(ContractDocuments.RefusedConnection);
        Assert.Equal(
            "09:00:00.200 refused 10.96.0.10:9080  reviews.default.svc.cluster.local  rate_limited (ENOBUFS)",
            await LineAsync(stdout, 2));

        cancel.Cancel();
        Assert.Equal(0, await run.WaitAsync(Patience));
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public async Task Json_PrintsEachObjectAsReceived()
    {
        var (stdout, _, cancel, run) = Start("accesslog", "-o", "json");

        await Server.AccessLog!.Writer.WriteAsync(ContractDocuments.RefusedConnection);
        Assert.Equal(ContractDocuments.RefusedConnection, await LineAsync(stdout, 1));

        cancel.Cancel();
        Assert.Equal(0, await run.WaitAsync(Patience));
    }

    [Fact]
    public async Task DaemonWithoutAccessLog_ServerMessageAndExit1()
    {
        Server.AccessLog = null;

        var run = await CtlAsync("accesslog");

        Assert.Equal(1, run.Exit);
        Assert.Equal("kmesh ctl: the daemon runs without --access-log (HTTP 409 from /accesslog)", run.Stderr.Trim());
    }

    [Fact]
    public async Task DaemonEndsTheStream_SaysSoAndExit1()
    {
        var (_, stderr, _, run) = Start("accesslog");
        await WaitForRequestAsync();

        Server.AccessLog!.Writer.Complete();

        Assert.Equal(1, await run.WaitAsync(Patience));
        Assert.Equal("kmesh ctl: the daemon ended /accesslog (stopped or restarted?)", stderr.ToString().Trim());
    }

    [Theory]
    [InlineData("not json at all", "not json at all")]
    [InlineData("""{"event":"opened","dialed":"[fd00::10]:80"}""", "--:--:--.--- opened  [fd00::10]:80")]
    public void Format_ToleratesWhatItDoesNotKnow(string line, string shown)
    {
        Assert.Equal(shown, AccessLog.AccessLogLine.Format(line));
    }

    private (CapturedWriter Stdout, CapturedWriter Stderr, CancellationTokenSource Cancel, Task<int> Run) Start(params string[] args)
    {
        var stdout = new CapturedWriter();
        var stderr = new CapturedWriter();
        var cancel = new CancellationTokenSource();
        var run = Task.Run(() => CtlCommand.RunAsync([.. args, "--admin", Server.Address], stdout, stderr, cancel.Token));
        return (stdout, stderr, cancel, run);
    }

    private async Task WaitForRequestAsync()
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!Server.Requests.Contains("GET /accesslog"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the CLI never asked for /accesslog");
            await Task.Delay(20);
        }
    }

    private static async Task<string> LineAsync(CapturedWriter stdout, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (stdout.Lines().Length < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"line {count} never came; so far:\n{stdout}");
            await Task.Delay(20);
        }
        return stdout.Lines()[count - 1];
    }
}
