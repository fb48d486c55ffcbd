using System.Diagnostics;

namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// Makes a real TCP connect from a short-lived child process - optionally placed in a cgroup
/// first - and returns what the server said. The test process itself never changes cgroup.
/// </summary>
public static class ConnectProbe
{
    /// <summary>Connects to <paramref name="address"/>:<paramref name="port"/>; returns the server's first line or the error.</summary>
    public static string Connect(string address, int port, string? cgroupPath = null)
    {
        string join = cgroupPath is null ? string.Empty : $"echo $$ > '{cgroupPath}/cgroup.procs' || exit 90; ";
        // bash's /dev/tcp does a plain connect(2): exactly what the connect4 hook sees.
        string script = $"{join}exec 3<>/dev/tcp/{address}/{port} || exit 91; head -n 1 <&3";
        var psi = new ProcessStartInfo("/bin/bash", ["-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bash");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return "<timeout>";
        }
        string output = stdout.GetAwaiter().GetResult().Trim();
        return process.ExitCode == 0 ? output : $"<exit {process.ExitCode}: {stderr.GetAwaiter().GetResult().Trim()}>";
    }
}
