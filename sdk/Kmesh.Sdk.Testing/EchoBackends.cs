namespace Kmesh.Sdk.Testing;

/// <summary>
/// Echo backends started by <see cref="KernelSandbox.StartBackendsAsync"/>. They run in one agent
/// process in the sandbox's netns, outside its cgroup, so a mesh's cgroup hooks never touch them.
/// </summary>
public sealed class EchoBackends
{
    private readonly AgentProcess _agent;

    internal EchoBackends(AgentProcess agent, IReadOnlyList<BackendSpec> backends)
    {
        _agent = agent;
        Backends = backends;
    }

    /// <summary>The backends started by this call, with their actual ports (a requested port 0 is resolved).</summary>
    public IReadOnlyList<BackendSpec> Backends { get; }

    /// <summary>The pid of the agent hosting all of the sandbox's backends.</summary>
    public int Pid => _agent.Pid;

    /// <summary>The backend called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No backend of that name was started by this call.</exception>
    public BackendSpec this[string name] =>
        Backends.FirstOrDefault(b => b.Name == name) ?? throw new KeyNotFoundException($"no backend named '{name}'");

    /// <summary>
    /// Stops the backend called <paramref name="name"/> from accepting: later connects to it are
    /// refused, while connections already open keep echoing (as when a server closes its listener).
    /// </summary>
    /// <param name="name">The backend's name.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task StopAsync(string name, CancellationToken cancellationToken = default) =>
        _agent.SendAsync("unlisten", w => w.WriteString("name", name), TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// The backends agent's stats; <see cref="AgentStats.Accepted"/> counts connections per backend
    /// (all of the sandbox's backends, not only this call's).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<AgentStats> StatsAsync(CancellationToken cancellationToken = default) =>
        AgentStats.Parse(await _agent.SendAsync("stats", _ => { }, TimeSpan.Zero, cancellationToken).ConfigureAwait(false));
}
