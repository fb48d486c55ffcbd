using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// The real <c>kmesh run</c> daemon as a child process, with its log kept for assertions:
/// tests and the demo drive the very binary an operator runs, signals included.
/// </summary>
public sealed class DaemonProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly Lock _lock = new();
    private readonly Action<string>? _echo;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private DaemonProcess(Process process, Action<string>? echo)
    {
        _process = process;
        _echo = echo;
    }

    /// <summary>The daemon's process id.</summary>
    public int Pid => _process.Id;

    /// <summary>Everything it printed so far (stdout and stderr, in arrival order).</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lock) return _lines.ToArray(); }
    }

    /// <summary>The whole log as one text, for assertion messages.</summary>
    public string Log => string.Join(Environment.NewLine, Lines);

    /// <summary>True once the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>
    /// Starts <c>dotnet <paramref name="daemonDll"/> run <paramref name="arguments"/></c>. Each
    /// output line is also passed to <paramref name="echo"/> (e.g. to show it in a demo).
    /// </summary>
    public static DaemonProcess Start(string daemonDll, IEnumerable<string> arguments, Action<string>? echo = null) =>
        // Daemons of parallel tests must not fight over the default admin port: any free one, read back from the log.
        Start(daemonDll, "run", arguments, "127.0.0.1:0", echo);

    /// <summary>
    /// Starts <c>dotnet <paramref name="daemonDll"/> <paramref name="command"/> <paramref name="arguments"/></c>,
    /// adding <c>--admin <paramref name="admin"/></c> unless the arguments hold <c>--admin</c>.
    /// </summary>
    internal static DaemonProcess Start(string daemonDll, string command, IEnumerable<string> arguments, string admin, Action<string>? echo)
    {
        if (!File.Exists(daemonDll))
            throw new FileNotFoundException($"the daemon {daemonDll} is not built", daemonDll);
        var info = new ProcessStartInfo(AgentLocator.DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(daemonDll);
        info.ArgumentList.Add(command);
        var list = arguments.ToList();
        foreach (var argument in list)
            info.ArgumentList.Add(argument);
        if (!list.Contains("--admin"))
        {
            info.ArgumentList.Add("--admin");
            info.ArgumentList.Add(admin);
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var daemon = new DaemonProcess(process, echo);
        process.OutputDataReceived += (_, e) => daemon.Add(e.Data);
        process.ErrorDataReceived += (_, e) => daemon.Add(e.Data);
        process.Exited += (_, _) => daemon._exited.TrySetResult();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return daemon;
    }

    private void Add(string? line)
    {
        if (line is null)
            return;
        lock (_lock)
            _lines.Add(line);
        _echo?.Invoke(line);
    }

    /// <summary>Waits for a log line matching <paramref name="pattern"/>; throws with the log on timeout or exit.</summary>
    public async Task<string> WaitForLineAsync(string pattern, TimeSpan timeout, int skip = 0)
    {
        var regex = new Regex(pattern);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var match = Lines.Skip(skip).FirstOrDefault(regex.IsMatch);
            if (match is not null)
                return match;
            if (_process.HasExited)
            {
                await Task.Delay(100).ConfigureAwait(false); // let the last lines arrive
                match = Lines.Skip(skip).FirstOrDefault(regex.IsMatch);
                if (match is not null)
                    return match;
                throw new InvalidOperationException($"the daemon exited ({_process.ExitCode}) before printing /{pattern}/; its log:{Environment.NewLine}{Log}");
            }
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"the daemon did not print /{pattern}/ within {timeout}; its log:{Environment.NewLine}{Log}");
            await Task.Delay(25).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The admin API's base URL (e.g. <c>http://127.0.0.1:40123</c>), from the daemon's log; waits
    /// for the line. Throws when the daemon runs with <c>--admin none</c> or exits first.
    /// </summary>
    public async Task<Uri> AdminUrlAsync(TimeSpan? timeout = null)
    {
        var line = await WaitForLineAsync(@"Admin API on http://", timeout ?? TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        return new Uri(line[line.IndexOf("http://", StringComparison.Ordinal)..].Trim());
    }

    /// <summary>Waits until the daemon says <c>ready</c>.</summary>
    public Task<string> WaitReadyAsync(TimeSpan? timeout = null) => WaitForLineAsync(@"\bready\b", timeout ?? TimeSpan.FromSeconds(60));

    /// <summary>Waits for the daemon to exit by itself (e.g. after a start-up error); returns the exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout)).ConfigureAwait(false);
        if (finished != _exited.Task)
            throw new TimeoutException($"the daemon did not exit within {timeout}; its log:{Environment.NewLine}{Log}");
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGTERM and waits for the exit; kills it if it does not stop in time. Returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            Native.Terminate(_process.Id);
            var finished = await Task.WhenAny(_exited.Task, Task.Delay(timeout ?? TimeSpan.FromSeconds(20))).ConfigureAwait(false);
            if (finished != _exited.Task)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
                throw new TimeoutException($"the daemon did not stop on SIGTERM; killed. Its log:{Environment.NewLine}{Log}");
            }
        }
        await _process.WaitForExitAsync().ConfigureAwait(false);
        return _process.ExitCode;
    }

    private int _disposed;

    /// <summary>Stops the daemon (SIGTERM, then SIGKILL) if it still runs. Safe to call again.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            if (!_process.HasExited)
                await StopAsync().ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        _process.Dispose();
    }
}
