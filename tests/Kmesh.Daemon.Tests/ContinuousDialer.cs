using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Dials a VIP from the sandbox client back to back (batches of sequential connects, each one
/// reading the backend's name) until stopped, and adds up what happened: the load a restart
/// must not break.
/// </summary>
internal sealed class ContinuousDialer : IAsyncDisposable
{
    private const int Batch = 20;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<Outcome> _loop;

    private ContinuousDialer(SandboxClient client, string vip, int port) => _loop = Task.Run(() => LoopAsync(client, vip, port));

    public static ContinuousDialer Start(SandboxClient client, string vip, int port) => new(client, vip, port);

    /// <summary>Stops after the batch in flight and returns the totals.</summary>
    public async Task<Outcome> StopAsync()
    {
        _stop.Cancel();
        return await _loop;
    }

    private async Task<Outcome> LoopAsync(SandboxClient client, string vip, int port)
    {
        var clock = Stopwatch.StartNew();
        int succeeded = 0;
        var errors = new Dictionary<string, int>(StringComparer.Ordinal);
        while (!_stop.IsCancellationRequested)
        {
            var result = await client.DialAsync(vip, port, Batch, TimeSpan.FromSeconds(1));
            succeeded += result.Succeeded;
            foreach (var (errno, count) in result.Errors)
                errors[errno] = errors.GetValueOrDefault(errno) + count;
        }
        return new Outcome(succeeded, errors, clock.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
            // the test already failed or stopped the dialer; only the loop's end matters here
        }
        _stop.Dispose();
    }

    /// <summary>What the dialer saw.</summary>
    public sealed record Outcome(int Succeeded, IReadOnlyDictionary<string, int> Errors, TimeSpan Elapsed)
    {
        public int Failed => Errors.Values.Sum();

        public double PerSecond => (Succeeded + Failed) / Elapsed.TotalSeconds;

        public override string ToString() =>
            $"{Succeeded + Failed} connects in {Elapsed.TotalSeconds:F1} s ({PerSecond:F0}/s), {Failed} failed"
            + (Errors.Count == 0 ? "" : ": " + string.Join(", ", Errors.Select(e => $"{e.Key}={e.Value}")));
    }
}
