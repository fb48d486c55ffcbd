namespace Kmesh.Waypoint.Hosting;

/// <summary>
/// The waypoint runs socket completions inline on the socket engine's threads (.NET's
/// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>) instead of queueing each one to the thread
/// pool. With Kestrel's inline scheduling (<see cref="PortListeners"/>) a proxied request then runs
/// from the client's bytes to the upstream's answer without a thread hop: on 2 cores this halved
/// the CPU per request at one and at 64 keep-alive connections
/// (bench/results/2026-12-07-waypoint15c.md). It is safe because nothing on the request path
/// blocks (the access log is written by a task of its own; plugin filters are asynchronous).
/// Only the waypoint: the daemon keeps the default.
/// </summary>
public static class InlineSocketCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on unless the environment already says otherwise. The runtime reads
    /// the variable when the first asynchronous socket operation starts, so this must run before
    /// any socket is used (first thing in <c>kmesh waypoint</c>).
    /// </summary>
    /// <returns>Whether completions will run inline.</returns>
    public static bool PreferInline()
    {
        if (Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, "1");
        return Environment.GetEnvironmentVariable(Variable) == "1";
    }
}
