namespace Kmesh.Ctl.Tests;

/// <summary>What one <c>kmesh ctl</c> run left: its exit status and what it wrote.</summary>
internal sealed record CtlRun(int Exit, string Stdout, string Stderr)
{
    public string[] StdoutLines => Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();

    /// <summary>The table row (a stdout line) that contains every one of <paramref name="cells"/>.</summary>
    public string Row(params string[] cells) =>
        StdoutLines.SingleOrDefault(line => cells.All(c => line.Contains(c, StringComparison.Ordinal)))
        ?? throw new Xunit.Sdk.XunitException($"no single row with [{string.Join("] [", cells)}] in:\n{Stdout}\nstderr:\n{Stderr}");
}

/// <summary>Runs <c>kmesh ctl</c> in-process, as the daemon's dispatch does.</summary>
internal static class Ctl
{
    public static async Task<CtlRun> RunAsync(AdminServer server, params string[] args) =>
        await RunAtAsync(server.Address, args);

    public static async Task<CtlRun> RunAtAsync(string admin, params string[] args)
    {
        var stdout = new CapturedWriter();
        var stderr = new CapturedWriter();
        var exit = await CtlCommand.RunAsync([.. args, "--admin", admin], stdout, stderr, CancellationToken.None);
        return new CtlRun(exit, stdout.ToString(), stderr.ToString());
    }
}
