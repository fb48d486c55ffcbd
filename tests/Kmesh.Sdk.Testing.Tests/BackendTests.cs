using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>Echo backends answer with their names over IPv4 and IPv6 inside the sandbox's netns.</summary>
public sealed class BackendTests
{
    private static readonly SandboxOptions WithUla = new() { Addresses = ["fd00:100::1"] };

    [KernelFact]
    public async Task Backends_answer_with_their_names_over_ipv4_and_ipv6()
    {
        await using var sandbox = await KernelSandbox.CreateAsync(WithUla);
        var backends = await sandbox.StartBackendsAsync(
            new("v4a", "127.0.0.2", 8080),
            new("v4b", "127.0.0.3", 8080),
            new("v6ula", "fd00:100::1", 8080),
            new("v6lo", "::1", 8081));
        await using var client = await sandbox.ClientAsync();

        foreach (var backend in backends.Backends)
        {
            var result = await client.DialAsync(backend.Address, backend.Port, count: 3);
            Assert.True(result.Count(backend.Name) == 3, $"{backend}: {result}");
            Assert.Equal(3, result.Total);
        }

        var stats = await backends.StatsAsync();
        Assert.All(backends.Backends, b => Assert.Equal(3, stats.Accepted[b.Name]));
    }

    [KernelFact]
    public async Task Stalled_listener_queues_the_first_connect_and_leaves_later_ones_in_handshake()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        var stalled = await sandbox.StartStalledListenerAsync(new BackendSpec("stalled", "127.0.0.7", 0));
        var port = stalled["stalled"].Port;
        await using var client = await sandbox.ClientAsync();

        var first = await client.DialAsync("127.0.0.7", port, timeout: TimeSpan.FromMilliseconds(300));
        var pending = client.DialAsync("127.0.0.7", port, timeout: TimeSpan.FromSeconds(2));
        await Task.Delay(300);
        var handshake = await sandbox.RunInNetnsAsync("ss", "-Htn", "state", "syn-sent", "dst", $"127.0.0.7:{port}");
        var later = await pending;
        await stalled.StopAsync("stalled");
        var afterStop = await client.DialAsync("127.0.0.7", port);

        Assert.Equal(1, first.ErrorCount("ETIMEDOUT")); // connected, but never greeted
        Assert.Single(handshake.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(1, later.ErrorCount("ETIMEDOUT"));
        Assert.Equal(1, afterStop.ErrorCount("ECONNREFUSED"));
    }

    [KernelFact]
    public async Task Peer_reports_getpeername_view_and_backend_name()
    {
        await using var sandbox = await KernelSandbox.CreateAsync(WithUla);
        await sandbox.StartBackendsAsync(new("v6", "fd00:100::1", 9000), new("v4", "127.0.0.5", 9000));
        await using var client = await sandbox.ClientAsync();

        var v6 = await client.PeerAsync("fd00:100::1", 9000);
        Assert.Equal("v6", v6.Name);
        Assert.Equal(System.Net.IPEndPoint.Parse("[fd00:100::1]:9000"), v6.RemoteEndPoint);

        var v4 = await client.PeerAsync("127.0.0.5", 9000);
        Assert.Equal("v4", v4.Name);
        Assert.Equal(System.Net.IPEndPoint.Parse("127.0.0.5:9000"), v4.RemoteEndPoint);
        Assert.NotEqual(0, v4.LocalEndPoint.Port);
    }

    [KernelFact]
    public async Task Port_zero_is_resolved_and_stopped_backend_keeps_held_connections()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        var backends = await sandbox.StartBackendsAsync(new BackendSpec("b", "127.0.0.1", 0));
        var b = backends["b"];
        Assert.NotEqual(0, b.Port);
        await using var client = await sandbox.ClientAsync();

        Assert.Equal("b", await client.HoldAsync(b.Address, b.Port, "in-flight"));
        Assert.Equal(1, (await client.StatsAsync()).Held);
        await backends.StopAsync("b");

        // New connects are refused, yet the connection made before keeps working.
        Assert.Equal(2, (await client.DialAsync(b.Address, b.Port, count: 2)).ErrorCount("ECONNREFUSED"));
        await client.ReleaseAsync("in-flight");

        var missing = await Assert.ThrowsAsync<SandboxAgentException>(() => client.ReleaseAsync("in-flight"));
        Assert.Null(missing.Errno);
    }

    [KernelFact]
    public async Task Held_connection_that_was_reset_fails_release_with_errno()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        var backends = await sandbox.StartBackendsAsync(new BackendSpec("b", "127.0.0.1", 7000));
        await using var client = await sandbox.ClientAsync();
        await client.HoldAsync("127.0.0.1", 7000, "h");

        // Killing the backends' agent closes its end of the connection.
        using (var process = System.Diagnostics.Process.GetProcessById(backends.Pid))
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        var error = await Assert.ThrowsAsync<SandboxAgentException>(() => client.ReleaseAsync("h"));
        Assert.Contains(error.Errno, new[] { "EOF", "ECONNRESET", "EPIPE" });
    }
}
