using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Makes a second sandbox a host of its own, as seen from the node's sandbox: a veth pair between
/// their namespaces, 10.78.0.1/24 on the node's side and <see cref="RemoteAddress"/> on the other.
/// Nothing to clean up beyond the sandboxes: a veth goes when either namespace does.
/// </summary>
internal static class RemoteHost
{
    public const string RemoteAddress = "10.78.0.2";

    public static async Task ConnectAsync(KernelSandbox node, KernelSandbox remote)
    {
        await node.RunInNetnsAsync("ip", "link", "add", "kmv-node", "type", "veth", "peer", "name", "kmv-remote", "netns", remote.NetnsName);
        await node.RunInNetnsAsync("ip", "addr", "add", "10.78.0.1/24", "dev", "kmv-node");
        await node.RunInNetnsAsync("ip", "link", "set", "kmv-node", "up");
        await remote.RunInNetnsAsync("ip", "addr", "add", RemoteAddress + "/24", "dev", "kmv-remote");
        await remote.RunInNetnsAsync("ip", "link", "set", "kmv-remote", "up");
    }
}
