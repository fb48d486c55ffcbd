using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// One kmesh-sandbox-agent process inside a sandbox's netns: starts it, waits for its ready line,
/// sends one JSON command at a time and reads the JSON reply, and kills it on dispose.
/// </summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private const int StderrLimit = 8192;
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Process _process;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly StringBuilder _stderr = new();
    private readonly TimeSpan _commandTimeout;
    private bool _broken;
    private int _disposed;

    private AgentProcess(Process process, string role, TimeSpan commandTimeout)
    {
        _process = process;
        Role = role;
        _commandTimeout = commandTimeout;
    }

    /// <summary>"backends" or "client"; used in messages.</summary>
    public string Role { get; }

    /// <summary>The agent's pid (ip netns exec execs, so this is the dotnet process itself).</summary>
    public int Pid { get; private set; }

    public static async Task<AgentProcess> StartAsync(
        string agentPath, string netns, string? cgroup, string role, SandboxOptions options, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(KernelRequirement.IpPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
        };
        foreach (var arg in new[] { "netns", "exec", netns, AgentLocator.DotnetHost(), agentPath })
        {
            psi.ArgumentList.Add(arg);
        }
        if (cgroup is not null)
        {
            psi.ArgumentList.Add("--cgroup");
            psi.ArgumentList.Add(cgroup);
        }
        // No diagnostics IPC socket, debugger or profiler (e.g. a coverage collector) in agents.
        psi.Environment["DOTNET_EnableDiagnostics"] = "0";

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start the sandbox agent");
        var agent = new AgentProcess(process, role, options.CommandTimeout) { Pid = process.Id };
        process.ErrorDataReceived += (_, e) => agent.AppendStderr(e.Data);
        process.BeginErrorReadLine();
        process.StandardInput.AutoFlush = true;

        try
        {
            var ready = await agent.ReadReplyAsync(options.AgentStartTimeout, cancellationToken).ConfigureAwait(false);
            if (!ready.TryGetProperty("event", out var ev) || ev.GetString() != "ready")
            {
                throw agent.Failure($"did not start: {ready}");
            }
            agent.Pid = ready.GetProperty("pid").GetInt32();
            return agent;
        }
        catch
        {
            await agent.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Sends one command and returns the reply; throws <see cref="SandboxAgentException"/> when the
    /// agent answers ok=false, dies, or does not answer within the command timeout + <paramref name="extra"/>.
    /// </summary>
    public async Task<JsonElement> SendAsync(string command, Action<Utf8JsonWriter> arguments, TimeSpan extra, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_broken || Volatile.Read(ref _disposed) != 0)
            {
                throw Failure("is no longer usable (it died, timed out, or was disposed)");
            }

            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("cmd", command);
                arguments(w);
                w.WriteEndObject();
            }
            try
            {
                await _process.StandardInput.WriteLineAsync(Utf8.GetString(buffer.WrittenSpan)).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                _broken = true;
                throw Failure($"could not be sent '{command}': {e.Message}");
            }

            var reply = await ReadReplyAsync(_commandTimeout + extra, cancellationToken).ConfigureAwait(false);
            if (!reply.GetProperty("ok").GetBoolean())
            {
                string? errno = reply.TryGetProperty("errno", out var e) ? e.GetString() : null;
                throw new SandboxAgentException($"{command}: {reply.GetProperty("error").GetString()}", errno);
            }
            return reply;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<JsonElement> ReadReplyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        string? line;
        try
        {
            line = await _process.StandardOutput.ReadLineAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The reply may still come later and would be read as the next command's: give up on the agent.
            _broken = true;
            cancellationToken.ThrowIfCancellationRequested();
            throw Failure($"did not answer within {timeout}");
        }

        if (line is null)
        {
            _broken = true;
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await _process.WaitForExitAsync(exit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            throw Failure(_process.HasExited ? $"exited with code {_process.ExitCode}" : "closed its stdout");
        }

        using var doc = JsonDocument.Parse(line);
        var reply = doc.RootElement.Clone();
        if (reply.TryGetProperty("event", out var ev) && ev.GetString() == "fatal")
        {
            _broken = true;
            throw Failure(reply.GetProperty("error").GetString() ?? "fatal error");
        }
        return reply;
    }

    private void AppendStderr(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_stderr)
        {
            if (_stderr.Length < StderrLimit)
            {
                _stderr.AppendLine(line);
            }
        }
    }

    private SandboxAgentException Failure(string what)
    {
        string stderr;
        lock (_stderr)
        {
            stderr = _stderr.ToString().Trim();
        }
        return new SandboxAgentException(
            $"Sandbox {Role} agent (pid {Pid}) {what}." + (stderr.Length > 0 ? $" Its stderr:\n{stderr}" : ""));
    }

    /// <summary>Kills the agent and waits until it is gone (so its cgroup can be removed).</summary>
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
}
