namespace Kmesh.Sdk.Testing;

/// <summary>
/// An agent could not do what was asked: a connect failed (see <see cref="Errno"/>), a request was
/// refused, or the agent process died or stopped answering.
/// </summary>
public sealed class SandboxAgentException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, including the agent's stderr when it died.</param>
    /// <param name="errno">The errno name of a failed socket call, if that is what failed.</param>
    public SandboxAgentException(string message, string? errno = null) : base(message)
    {
        Errno = errno;
    }

    /// <summary>
    /// The errno name of the failed socket call, e.g. <c>"ECONNREFUSED"</c>, <c>"EPERM"</c> (a
    /// cgroup connect hook that denied), <c>"ETIMEDOUT"</c>; <c>"EOF"</c> when the backend closed
    /// before sending its name; null when no socket call failed.
    /// </summary>
    public string? Errno { get; }
}
