using Kmesh.Sdk.Testing;
using Kmesh.Xds.Tests.Hostile;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The hostile table saved over a running daemon's watched config: the daemon survives each
/// one, reports it naming the limit, keeps serving connects, stays under a memory bound, and
/// applies the next valid edit.
/// </summary>
public sealed class HostileLiveConfigTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The daemon with its plugins loaded is ~150 MiB; the 5 MB string config costs little more.</summary>
    private const long DaemonBoundMiB = 500;

    [KernelFact]
    public async Task HostileEdits_AreReported_ConnectsServedThroughout_AndTheNextValidEditApplies()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        string[] hostile = ["mappings-1000", "mappings-10000", "sequences-10000", "json-10000", "alias-bomb", "alias-cycle", "huge-string", "truncated"];

        foreach (var name in hostile)
        {
            var (_, text, error) = HostileConfigs.Table().Single(t => t.Name == name);
            var skip = run.Daemon.Lines.Count;
            await run.RewriteConfigAsync(text);
            var line = await run.Daemon.WaitForLineAsync("Config rejected", ChangeTimeout, skip);

            Assert.Contains(error!, line);
            Assert.Contains($"{Path.GetFileName(run.ConfigPath)}:", line);
            Assert.False(run.Daemon.HasExited, $"the daemon died on {name}:\n{run.Daemon.Log}");
            var served = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 10);
            Assert.True(served.Succeeded == 10, $"connects failed after {name}: {served}");
        }

        // The source still follows the file: a valid edit (a fourth endpoint) is applied.
        await run.RewriteConfigAsync(TestMesh.Config("127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"));
        var added = await run.DialUntilAsync(TestMesh.ReviewsVip, 40, r => r.Count("reviews-d") > 0, ChangeTimeout);
        Assert.True(added.Count("reviews-d") > 0, $"the valid edit after the hostile ones was not applied: {added}\n{run.Daemon.Log}");
        Assert.DoesNotContain(run.Daemon.Lines, l => l.Contains("failed and stopped", StringComparison.Ordinal));

        var peak = PeakMemory.Read($"/proc/{run.Daemon.Pid}/status") / 1024;
        Assert.True(peak < DaemonBoundMiB, $"the daemon peaked at {peak} MiB, over {DaemonBoundMiB} MiB");
    }
}
