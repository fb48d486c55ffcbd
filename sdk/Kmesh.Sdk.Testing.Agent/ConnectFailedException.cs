namespace Kmesh.Sdk.Testing.Agent;

/// <summary>A connect (or the read of the backend's name) failed with the given errno name.</summary>
internal sealed class ConnectFailedException(string errno, string message) : Exception(message)
{
    public string Errno { get; } = errno;
}
