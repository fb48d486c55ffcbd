using System.Diagnostics;

namespace Kmesh.Daemon.Tests;

/// <summary>Runs a process to its end and records its peak resident memory (VmHWM of /proc/PID/status, polled).</summary>
internal static class PeakMemory
{
    public static async Task<(int Exit, string Stdout, string Stderr, long PeakMiB)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var status = $"/proc/{process.Id}/status";
        long peakKiB = 0;
        using var cancel = new CancellationTokenSource(timeout);
        while (!process.HasExited)
        {
            // VmHWM only grows: the last reading before the exit is the peak, short of the last few ms.
            peakKiB = Math.Max(peakKiB, Read(status));
            await Task.Delay(10, cancel.Token);
        }
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr, peakKiB / 1024);
    }

    /// <summary>VmHWM in KiB of a running process, or 0 once it is gone.</summary>
    public static long Read(string statusPath)
    {
        try
        {
            var line = File.ReadLines(statusPath).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
