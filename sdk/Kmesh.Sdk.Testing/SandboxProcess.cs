using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// A program of your choice (a web server, an HTTP or gRPC client, a load generator) running in a
/// sandbox's netns, inside its cgroup (so the mesh governs its connects and its listeners alike) or
/// outside it. Started by <see cref="KernelSandbox.StartProcessAsync"/>. Dispose it when done, or
/// let the sandbox do it: the process is killed (SIGKILL) with all its descendants and waited for.
/// </summary>
/// <remarks>
/// Run programs in the foreground (nginx: <c>daemon off;</c>). A process that detaches from its
/// parent is no longer among its descendants and escapes the kill; inside the cgroup, the sandbox's
/// disposal then moves it to the root cgroup rather than killing it.
/// </remarks>
public sealed class SandboxProcess : IAsyncDisposable
{
    private const int OutputLimit = 10_000;
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _dropped;
    private int _disposed;

    private SandboxProcess(Process process, string fileName, bool insideCgroup)
    {
        _process = process;
        FileName = fileName;
        InsideCgroup = insideCgroup;
    }

    /// <summary>The program as given to <see cref="KernelSandbox.StartProcessAsync"/>.</summary>
    public string FileName { get; }

    /// <summary>
    /// The program's pid: the launcher execs it (<c>sh</c> joins the cgroup, then <c>ip netns exec</c>),
    /// so this is the program itself; check <c>/proc/&lt;pid&gt;/cgroup</c> if you like.
    /// </summary>
    public int Pid { get; private set; }

    /// <summary>Whether it runs inside <see cref="KernelSandbox.CgroupPath"/>.</summary>
    public bool InsideCgroup { get; }

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _exited.Task.IsCompleted;

    /// <summary>The exit code; only valid once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Its stdout and stderr lines so far, in arrival order (the first 10 000 lines).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>
    /// Waits for an output line matching <paramref name="pattern"/> (a regular expression) and returns it.
    /// Throws <see cref="InvalidOperationException"/> with the output when the process exits first,
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/> (default 30 s).
    /// </summary>
    /// <param name="pattern">A regular expression, matched against each line.</param>
    /// <param name="timeout">How long to wait; default 30 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the process keeps running).</param>
    public async Task<string> WaitForOutputAsync(string pattern, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var regex = new Regex(pattern, RegexOptions.CultureInvariant);
        string? Match()
        {
            lock (_output)
            {
                return _output.FirstOrDefault(regex.IsMatch);
            }
        }
        return await PollAsync(Match, $"print /{pattern}/", timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until a TCP socket listens on <paramref name="port"/> (any address, IPv4 or IPv6) in the
    /// process's netns, as <c>/proc/&lt;pid&gt;/net/tcp{,6}</c> show it: for servers that print
    /// nothing when ready. Throws like <see cref="WaitForOutputAsync"/>.
    /// </summary>
    /// <param name="port">The TCP port.</param>
    /// <param name="timeout">How long to wait; default 30 s.</param>
    /// <param name="cancellationToken">Cancels the wait (the process keeps running).</param>
    public Task WaitForListenerAsync(int port, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        // "  0: 0100007F:1F90 00000000:0000 0A ...": local address:port (hex), remote, state 0A = LISTEN.
        var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        string? Listening()
        {
            foreach (var table in new[] { "tcp", "tcp6" })
            {
                string[] lines;
                try
                {
                    lines = File.ReadAllLines($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/net/{table}");
                }
                catch (IOException)
                {
                    return null; // it is exiting; PollAsync reports that
                }
                foreach (var line in lines.Skip(1))
                {
                    var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (fields.Length > 3 && fields[3] == "0A" && fields[1].EndsWith(suffix, StringComparison.Ordinal))
                    {
                        return line;
                    }
                }
            }
            return null;
        }
        return PollAsync(Listening, $"listen on port {port}", timeout, cancellationToken);
    }

    /// <summary>
    /// Waits for the process to exit by itself and returns its exit code. Throws
    /// <see cref="TimeoutException"/> with the output after <paramref name="timeout"/> (default 30 s);
    /// the process keeps running then (disposal kills it).
    /// </summary>
    /// <param name="timeout">How long to wait; default 30 s.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultWait;
        try
        {
            await _exited.Task.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Describe()} did not exit within {limit}. {OutputForMessage()}");
        }
        // Exited fires before the last output lines are read: this waits for both streams' end.
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Kills the process and its descendants (SIGKILL) and waits until they are gone. Safe to call again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Already exited and reaped between the check and the kill.
        }
        finally
        {
            _process.Dispose();
        }
    }

    internal static async Task<SandboxProcess> StartAsync(
        string netns, string? cgroup, string fileName, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(cgroup is null ? KernelRequirement.IpPath : "/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (cgroup is not null)
        {
            // Join the cgroup before `ip netns exec`, which mounts a sysfs of its own over /sys and so
            // hides the cgroup2 mount. Both steps exec, so the pid stays the program's own.
            foreach (var arg in new[] { "-c", "echo $$ > \"$1/cgroup.procs\" || exit 126; shift; exec \"$@\"", "sh", cgroup, KernelRequirement.IpPath })
            {
                psi.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in new[] { "netns", "exec", netns, fileName }.Concat(arguments))
        {
            psi.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var started = new SandboxProcess(process, fileName, cgroup is not null);
        process.OutputDataReceived += (_, e) => started.Add(e.Data);
        process.ErrorDataReceived += (_, e) => started.Add(e.Data);
        process.Exited += (_, _) => started._exited.TrySetResult();
        process.Start();
        started.Pid = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close(); // a program that reads stdin sees EOF, not the test host's console

        try
        {
            // Entered the netns means the cgroup was joined already (the launcher's first step).
            var ownNetns = new FileInfo("/proc/self/ns/net").LinkTarget; // "net:[<inode>]"
            string? InNetns()
            {
                try
                {
                    var target = new FileInfo($"/proc/{started.Pid.ToString(CultureInfo.InvariantCulture)}/ns/net").LinkTarget;
                    return target is not null && target != ownNetns ? target : null;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    return null;
                }
            }
            try
            {
                await started.PollAsync(InNetns, "enter the sandbox's netns", startTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (started.HasExited)
            {
                // A short program may be done before it was seen in the netns; a launcher that
                // failed (cgroup, netns) exits too. Either way, the exit code and output tell.
            }
            return started;
        }
        catch
        {
            await started.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            if (_output.Count < OutputLimit)
            {
                _output.Add(line);
            }
            else
            {
                _dropped++;
            }
        }
    }

    private async Task<string> PollAsync(Func<string?> probe, string what, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var limit = timeout ?? DefaultWait;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (probe() is { } found)
            {
                return found;
            }
            if (HasExited)
            {
                await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                if (probe() is { } late)
                {
                    return late;
                }
                throw new InvalidOperationException($"{Describe()} exited with {_process.ExitCode} before it did {what}. {OutputForMessage()}");
            }
            if (deadline.Elapsed > limit)
            {
                throw new TimeoutException($"{Describe()} did not {what} within {limit}. {OutputForMessage()}");
            }
            await Task.Delay(20, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Describe() => $"{Path.GetFileName(FileName)} (pid {Pid.ToString(CultureInfo.InvariantCulture)}, {(InsideCgroup ? "inside" : "outside")} the cgroup)";

    private string OutputForMessage()
    {
        lock (_output)
        {
            if (_output.Count == 0)
            {
                return "It printed nothing.";
            }
            var more = _dropped > 0 ? $"{Environment.NewLine}({_dropped} more lines)" : "";
            return $"Its output:{Environment.NewLine}{string.Join(Environment.NewLine, _output.TakeLast(50))}{more}";
        }
    }
}
