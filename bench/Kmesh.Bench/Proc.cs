using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kmesh.Bench;

/// <summary>Runs commands; keeps every long-lived child so that cleanup can kill each by its pid.</summary>
public static partial class Proc
{
    private static readonly List<Process> Children = [];

    /// <summary>CLOCK_MONOTONIC in ns: the clock kmb-connect prints, shared by all processes.</summary>
    public static long MonotonicNs()
    {
        clock_gettime(1, out var ts);
        return ts.Sec * 1_000_000_000L + ts.Nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int clock_gettime(int clock, out TimeSpec ts);

    /// <summary>Runs to completion (bounded by <paramref name="timeout"/>); returns exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        lock (Children)
            Children.Add(p);
        try
        {
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (stdin is not null)
            {
                p.StandardInput.Write(stdin);
                p.StandardInput.Close();
            }
            if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
            }
            p.WaitForExit();
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            lock (Children)
                Children.Remove(p);
        }
    }

    public static string Checked(string file, IEnumerable<string> args, TimeSpan? timeout = null, string? stdin = null)
    {
        var (code, stdout, stderr) = Run(file, args, timeout, stdin);
        if (code != 0)
            throw new InvalidOperationException($"`{file} {string.Join(' ', args)}` exited {code}: {stderr.Trim()} {stdout.Trim()}");
        return stdout;
    }

    /// <summary>
    /// A command in namespace <paramref name="netns"/>, optionally moved into <paramref name="cgroup"/>
    /// before it execs (so its very first socket is governed).
    /// </summary>
    /// <remarks>The cgroup is joined before <c>ip netns exec</c>, which mounts a sysfs of its own that hides /sys/fs/cgroup.</remarks>
    public static string[] InNetns(string netns, string? cgroup, params string[] command) => cgroup is null
        ? ["ip", "netns", "exec", netns, .. command]
        : ["sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec ip netns exec \"$@\"", cgroup, netns, .. command];

    public static (int Code, string Out, string Err) Run(string[] argv, TimeSpan? timeout = null) => Run(argv[0], argv[1..], timeout);

    public static string Checked(string[] argv, TimeSpan? timeout = null) => Checked(argv[0], argv[1..], timeout);

    public static Process Start(string[] argv, Action<string>? onLine = null) => Start(argv[0], argv[1..], onLine);

    /// <summary>Starts a long-lived child (a server); <see cref="Stop"/> or <see cref="KillAll"/> ends it.</summary>
    public static Process Start(string file, IEnumerable<string> args, Action<string>? onLine = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            info.ArgumentList.Add(a);
        var p = new Process { StartInfo = info };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) onLine?.Invoke(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        lock (Children)
            Children.Add(p);
        return p;
    }

    public static void Stop(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
        lock (Children)
            Children.Remove(p);
        p.Dispose();
    }

    /// <summary>Kills every child still running, each by its own pid (and its descendants).</summary>
    public static void KillAll()
    {
        Process[] all;
        lock (Children)
            all = [.. Children];
        foreach (var p in all)
            Stop(p);
    }
}
