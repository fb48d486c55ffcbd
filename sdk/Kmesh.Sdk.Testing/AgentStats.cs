using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>An agent's view of itself (from its <c>stats</c> command).</summary>
public sealed class AgentStats
{
    internal AgentStats(int pid, string cgroup, string netns, int held, IReadOnlyDictionary<string, int> accepted)
    {
        Pid = pid;
        Cgroup = cgroup;
        Netns = netns;
        Held = held;
        Accepted = accepted;
    }

    /// <summary>The agent's process id (host pid namespace).</summary>
    public int Pid { get; }

    /// <summary>The agent's cgroup v2 path as in /proc/self/cgroup, e.g. <c>"/kmt-1234-1"</c>.</summary>
    public string Cgroup { get; }

    /// <summary>The agent's network namespace, e.g. <c>"net:[4026532281]"</c>.</summary>
    public string Netns { get; }

    /// <summary>Connections currently held open (<see cref="SandboxClient.HoldAsync"/>).</summary>
    public int Held { get; }

    /// <summary>Backend name → connections it accepted so far (backends agent only).</summary>
    public IReadOnlyDictionary<string, int> Accepted { get; }

    internal static AgentStats Parse(JsonElement reply) => new(
        reply.GetProperty("pid").GetInt32(),
        reply.GetProperty("cgroup").GetString() ?? "",
        reply.GetProperty("netns").GetString() ?? "",
        reply.GetProperty("held").GetInt32(),
        DialResult.Counts(reply.GetProperty("accepted")));
}
