using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Waiting for a live change to reach the kernel, seen the way an application sees it.</summary>
internal static class DialUntil
{
    /// <summary>Dials batches until <paramref name="done"/> holds for one, or the timeout passes (the last batch is returned).</summary>
    public static async Task<DialResult> DialUntilAsync(this SandboxClient client, string vip, int count, Func<DialResult, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await client.DialAsync(vip, TestMesh.Port, count);
            if (done(result) || DateTime.UtcNow > deadline)
                return result;
            await Task.Delay(50);
        }
    }
}
