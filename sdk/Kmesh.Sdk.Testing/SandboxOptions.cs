namespace Kmesh.Sdk.Testing;

/// <summary>How <see cref="KernelSandbox.CreateAsync"/> sets up a sandbox.</summary>
public sealed class SandboxOptions
{
    /// <summary>
    /// Extra addresses to put on the namespace's <c>lo</c>, e.g. <c>"fd00:100::1"</c> (a bare address
    /// gets /128 or /32). All of 127.0.0.0/8 and ::1 are already local and need no entry.
    /// Use only loopback or ULA/private addresses: they exist only inside the namespace.
    /// </summary>
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>How long an agent may take to start and report ready (a cold first start is the slow one).</summary>
    public TimeSpan AgentStartTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long an agent may take to answer a command, on top of the time its connects may use.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Path of <c>kmesh-sandbox-agent.dll</c>; null to look next to the test assembly
    /// (<see cref="AppContext.BaseDirectory"/>), where referencing Kmesh.Sdk.Testing puts it.
    /// </summary>
    public string? AgentPath { get; init; }
}
