using System.Diagnostics;

namespace Kmesh.Daemon.Tests;

/// <summary>The built <c>kmesh</c> executable run as a user runs it (<c>config check</c>, <c>ctl</c>, <c>run</c> that exits), with its output.</summary>
internal static class KmeshCommand
{
    public static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(RepoPaths.DotnetHost, [RepoPaths.DaemonDll, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
