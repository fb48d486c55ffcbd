using System.Net;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// A throw-away piece of kernel for one test: a network namespace with <c>lo</c> up (plus any
/// <see cref="SandboxOptions.Addresses"/>), an empty cgroup v2 directory to attach eBPF programs
/// to, and a bpffs folder name for pins. Echo backends and clients run as agent processes in the
/// namespace, so test traffic never leaves it. Dispose it (<c>await using</c>) even when the test
/// fails: agents are killed, the netns, cgroup and pin folder removed.
/// </summary>
/// <example>
/// <code>
/// await using var sandbox = await KernelSandbox.CreateAsync(new() { Addresses = ["fd00:100::1"] });
/// await sandbox.StartBackendsAsync(new("b1", "127.0.0.2", 8080), new("b6", "fd00:100::1", 8080));
/// // ... attach your programs to sandbox.CgroupPath, pin under sandbox.PinPath ...
/// await using var client = await sandbox.ClientAsync();
/// var result = await client.DialAsync("127.0.0.2", 8080, count: 10);
/// Assert.Equal(10, result.Count("b1"));
/// </code>
/// </example>
public sealed class KernelSandbox : IAsyncDisposable
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(10);
    private static int _swept;

    private readonly SandboxOptions _options;
    private readonly string _agentPath;
    private readonly List<AgentProcess> _agents = [];
    private readonly List<SandboxProcess> _processes = [];
    private readonly SemaphoreSlim _backendsGate = new(1, 1);
    private AgentProcess? _backends;
    private int _disposed;

    private KernelSandbox(string name, SandboxOptions options, string agentPath)
    {
        NetnsName = name;
        CgroupPath = SandboxNames.CgroupPath(name);
        PinPath = SandboxNames.PinPath(name);
        _options = options;
        _agentPath = agentPath;
    }

    /// <summary>The network namespace, <c>kmt-&lt;pid&gt;-&lt;n&gt;</c>; use with <c>ip netns exec</c> or <c>ip -n</c>.</summary>
    public string NetnsName { get; }

    /// <summary>The sandbox's cgroup v2 directory, e.g. <c>/sys/fs/cgroup/unified/kmt-1234-1</c>: attach connect/getpeername programs here.</summary>
    public string CgroupPath { get; }

    /// <summary>
    /// A bpffs folder for this sandbox's pins, <c>/sys/fs/bpf/kmt-&lt;pid&gt;-&lt;n&gt;</c>. Not created
    /// (the daemon under test does that); removed with everything pinned in it on dispose.
    /// </summary>
    public string PinPath { get; }

    /// <summary>
    /// Creates a sandbox. Throws <see cref="InvalidOperationException"/> with the reason when
    /// <see cref="KernelRequirement"/> is not met. The first call in a process also runs <see cref="SweepStale"/>.
    /// </summary>
    /// <param name="options">Extra addresses, timeouts, agent location; null for defaults.</param>
    /// <param name="cancellationToken">Cancels the set-up (what was created is removed again).</param>
    public static async Task<KernelSandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default)
    {
        KernelRequirement.EnsureMet();
        options ??= new SandboxOptions();
        string agentPath = AgentLocator.AgentPath(options);
        var addresses = options.Addresses.Select(ToPrefix).ToList();

        if (Interlocked.Exchange(ref _swept, 1) == 0)
        {
            SweepStale();
        }

        var sandbox = new KernelSandbox(SandboxNames.Reserve(), options, agentPath);
        try
        {
            await sandbox.SetUpAsync(addresses, cancellationToken).ConfigureAwait(false);
            return sandbox;
        }
        catch
        {
            try
            {
                await sandbox.DisposeAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // The set-up failure is the news; a leftover is swept by the next run.
            }
            throw;
        }
    }

    /// <summary>
    /// Starts echo backends (each sends its name, then echoes) in the sandbox's netns, outside its
    /// cgroup. All calls share one agent process; names must be unique per sandbox.
    /// </summary>
    /// <param name="specs">Name, address and port of each backend; port 0 picks a free port.</param>
    /// <returns>The started backends with their actual ports.</returns>
    public async Task<EchoBackends> StartBackendsAsync(params BackendSpec[] specs)
    {
        ArgumentNullException.ThrowIfNull(specs);
        var agent = await BackendsAgentAsync().ConfigureAwait(false);
        var started = new List<BackendSpec>(specs.Length);
        foreach (var spec in specs)
        {
            var reply = await agent.SendAsync("listen", w =>
            {
                w.WriteString("name", spec.Name);
                SandboxClient.WriteEndpoint(w, spec.Address, spec.Port);
            }, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
            started.Add(spec with { Port = reply.GetProperty("port").GetInt32() });
        }
        return new EchoBackends(agent, started);
    }

    /// <summary>
    /// Starts a listener that never accepts, in the backends' agent: the first connect to it
    /// completes the handshake and then waits in its accept queue (it never gets a name); the
    /// kernel drops every later SYN while that queue is full, so those connects stay in handshake
    /// (SYN_SENT, retransmitting) until they time out. For tests of connect timeouts and of
    /// connections pending in handshake. <see cref="EchoBackends.StopAsync"/> closes it.
    /// </summary>
    /// <param name="spec">Name, address and port; port 0 picks a free port.</param>
    /// <returns>The listener with its actual port.</returns>
    public async Task<EchoBackends> StartStalledListenerAsync(BackendSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var agent = await BackendsAgentAsync().ConfigureAwait(false);
        var reply = await agent.SendAsync("stall", w =>
        {
            w.WriteString("name", spec.Name);
            SandboxClient.WriteEndpoint(w, spec.Address, spec.Port);
        }, TimeSpan.Zero, CancellationToken.None).ConfigureAwait(false);
        return new EchoBackends(agent, [spec with { Port = reply.GetProperty("port").GetInt32() }]);
    }

    /// <summary>
    /// Starts a client agent in the sandbox's netns. Inside the cgroup (the default), the agent
    /// joins <see cref="CgroupPath"/> before it opens any socket, so cgroup eBPF hooks see all of them.
    /// </summary>
    /// <param name="insideCgroup">False for a control client that the cgroup's programs do not affect.</param>
    public async Task<SandboxClient> ClientAsync(bool insideCgroup = true)
    {
        var agent = await StartAgentAsync(insideCgroup ? CgroupPath : null, "client").ConfigureAwait(false);
        return new SandboxClient(agent, insideCgroup);
    }

    /// <summary>
    /// Starts a program of your choice in the sandbox's netns: a real server (nginx, a gRPC server) or
    /// client (curl, wrk). Inside the cgroup (the default), it joins <see cref="CgroupPath"/> before it
    /// execs, so the mesh's cgroup hooks see every socket it opens, listeners included: both ends of a
    /// connection can be governed workloads. Returns once the process is in the netns (and cgroup), or
    /// has already exited (a short program; or the launch failed, which its exit code and output
    /// show). The sandbox kills it with its descendants on dispose, if you have not disposed it before.
    /// </summary>
    /// <example>
    /// <code>
    /// await using var nginx = await sandbox.StartProcessAsync("nginx", ["-p", dir, "-c", conf]);
    /// await nginx.WaitForListenerAsync(8080);
    /// await using var curl = await sandbox.StartProcessAsync("curl", ["-sS", "http://10.0.0.1/"]);
    /// Assert.Equal(0, await curl.WaitForExitAsync());
    /// </code>
    /// </example>
    /// <param name="fileName">The program (looked up in PATH) or its path.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="insideCgroup">False to run it outside the cgroup, where the mesh does not govern it.</param>
    /// <param name="environment">Environment variables to set on top of the test process's own.</param>
    /// <param name="cancellationToken">Cancels the start (the process is then killed).</param>
    public async Task<SandboxProcess> StartProcessAsync(
        string fileName,
        IEnumerable<string> arguments,
        bool insideCgroup = true,
        IReadOnlyDictionary<string, string>? environment = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(fileName);
        ArgumentNullException.ThrowIfNull(arguments);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var process = await SandboxProcess.StartAsync(NetnsName, insideCgroup ? CgroupPath : null, fileName, arguments,
            environment, _options.AgentStartTimeout, cancellationToken).ConfigureAwait(false);
        lock (_processes)
        {
            _processes.Add(process);
        }
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposal began while the process started and may have missed it: do not leak it.
            await process.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(KernelSandbox));
        }
        return process;
    }

    /// <summary>
    /// Runs a command inside the sandbox's netns (<c>ip netns exec</c>), e.g. <c>("ss", "-tn")</c>
    /// when a test needs a closer look, and returns its stdout. Throws when it exits non-zero.
    /// </summary>
    /// <param name="fileName">The program (looked up in PATH).</param>
    /// <param name="args">Its arguments.</param>
    public Task<string> RunInNetnsAsync(string fileName, params string[] args) =>
        Shell.CheckedAsync(KernelRequirement.IpPath, ["netns", "exec", NetnsName, fileName, .. args], IpTimeout);

    /// <summary>
    /// Removes <c>kmt-*</c> netns, cgroups and pin folders left by crashed runs: those whose
    /// embedded pid is no longer alive. Sandboxes of live processes are never touched. Does nothing
    /// when <see cref="KernelRequirement"/> is not met.
    /// </summary>
    /// <returns>The paths removed (netns files, cgroup directories, pin folders).</returns>
    public static IReadOnlyList<string> SweepStale()
    {
        if (!KernelRequirement.IsMet)
        {
            return [];
        }
        var removed = new List<string>();
        foreach (var name in SandboxNames.Existing().Where(SandboxNames.IsStale))
        {
            string[] paths = [SandboxNames.NetnsPath(name), SandboxNames.CgroupPath(name), SandboxNames.PinPath(name)];
            var present = paths.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
            SandboxCleanup.RemoveAll(name, []);
            removed.AddRange(present.Where(p => !File.Exists(p) && !Directory.Exists(p)));
        }
        return removed;
    }

    /// <summary>
    /// Kills the agents and the processes started with <see cref="StartProcessAsync"/> (with their
    /// descendants) and waits for them, deletes the netns, removes the cgroup (moving any
    /// leftover process to the root cgroup first) and the pin folder with its pins. Every step is
    /// tried; if any fails, throws <see cref="InvalidOperationException"/> listing what is left.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var problems = new List<string>();
        SandboxProcess[] processes;
        lock (_processes)
        {
            processes = [.. _processes];
        }
        foreach (var process in processes)
        {
            try
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                problems.Add($"{Path.GetFileName(process.FileName)} process {process.Pid}: {e.Message}");
            }
        }
        AgentProcess[] agents;
        lock (_agents)
        {
            agents = [.. _agents];
        }
        foreach (var agent in agents)
        {
            try
            {
                await agent.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                problems.Add($"{agent.Role} agent {agent.Pid}: {e.Message}");
            }
        }

        SandboxCleanup.RemoveAll(NetnsName, problems);
        SandboxNames.Release(NetnsName);
        _backendsGate.Dispose();

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Sandbox {NetnsName} was not fully cleaned up:\n  " + string.Join("\n  ", problems));
        }
    }

    private async Task SetUpAsync(List<string> addresses, CancellationToken cancellationToken)
    {
        string ip = KernelRequirement.IpPath;
        await Shell.CheckedAsync(ip, ["netns", "add", NetnsName], IpTimeout, cancellationToken).ConfigureAwait(false);
        await Shell.CheckedAsync(ip, ["-n", NetnsName, "link", "set", "lo", "up"], IpTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var prefix in addresses)
        {
            // nodad: an IPv6 address must not sit "tentative" while the test already wants to bind it.
            string[] extra = prefix.Contains(':') ? ["nodad"] : [];
            await Shell.CheckedAsync(ip, ["-n", NetnsName, "addr", "add", prefix, "dev", "lo", .. extra], IpTimeout, cancellationToken).ConfigureAwait(false);
        }
        Directory.CreateDirectory(CgroupPath);
    }

    private async Task<AgentProcess> BackendsAgentAsync()
    {
        await _backendsGate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _backends ??= await StartAgentAsync(cgroup: null, "backends").ConfigureAwait(false);
        }
        finally
        {
            _backendsGate.Release();
        }
    }

    private async Task<AgentProcess> StartAgentAsync(string? cgroup, string role)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var agent = await AgentProcess.StartAsync(_agentPath, NetnsName, cgroup, role, _options, CancellationToken.None).ConfigureAwait(false);
        lock (_agents)
        {
            _agents.Add(agent);
        }
        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposal began while the agent started and may have missed it: do not leak it.
            await agent.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(KernelSandbox));
        }
        return agent;
    }

    /// <summary>"fd00::1" → "fd00::1/128", "10.0.0.1" → "10.0.0.1/32"; a given prefix length is kept.</summary>
    private static string ToPrefix(string address)
    {
        int slash = address.IndexOf('/');
        var ip = IPAddress.Parse(slash < 0 ? address : address[..slash]);
        if (slash >= 0)
        {
            return address;
        }
        return ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"{ip}/128" : $"{ip}/32";
    }
}
