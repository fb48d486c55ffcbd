using Kmesh.Sdk.Testing;

namespace Kmesh.Demo;

/// <summary>
/// The demo steps that need more than dialing: consistent hashing seen from several clients,
/// a circuit breaker seen with connections held open, and same-node acceleration seen as a
/// large transfer between two workloads of the governed cgroup.
/// </summary>
internal static class Showcase
{
    public static async Task RunAsync(SandboxClient client, MeshInventory inventory, int dials)
    {
        if (inventory.Services.FirstOrDefault(s => s.Name == "sessions") is { } sessions)
            await ConsistentHashAsync(client, sessions, dials);
        if (inventory.Services.FirstOrDefault(s => s.Name == "inventory") is { } capped)
            await CircuitBreakerAsync(client, capped);
        if (inventory.Services.FirstOrDefault(s => s.Name == "cache") is { } cache)
            await AccelerationAsync(client, cache);
    }

    private static async Task ConsistentHashAsync(SandboxClient client, DemoService service, int dials)
    {
        Step($"MAGLEV: four clients, each bound to an address of its own, dial {service} {dials / 4} times each");
        for (var i = 1; i <= 4; i++)
        {
            var source = $"127.0.66.{i}";
            var result = await client.DialAsync(service.Address, service.Port, dials / 4, source: source);
            Console.WriteLine($"    client {source}: {result}");
        }
    }

    private static async Task CircuitBreakerAsync(SandboxClient client, DemoService service)
    {
        Step($"Circuit breaker: {service} allows 2 open connections; two are held open, then 3 more connects");
        await client.HoldAsync(service.Address, service.Port, "held-1");
        await client.HoldAsync(service.Address, service.Port, "held-2");
        Histogram.Print(await client.DialAsync(service.Address, service.Port, 3));
        Console.WriteLine("    one held connection closes; the next connect gets in:");
        await client.ReleaseAsync("held-1");
        await Task.Delay(200); // the close's FIN exchange
        Histogram.Print(await client.DialAsync(service.Address, service.Port, 1));
        await client.ReleaseAsync("held-2");
    }

    private static async Task AccelerationAsync(SandboxClient client, DemoService service)
    {
        const long bytes = 64L * 1024 * 1024;
        Step($"Same-node acceleration: 64 MiB each way to {service}, whose endpoint is in the governed cgroup too");
        var started = DateTime.UtcNow;
        var result = await client.StreamAsync(service.Address, service.Port, bytes, maxWrite: 128 * 1024, seed: 42);
        var seconds = (DateTime.UtcNow - started).TotalSeconds;
        Console.WriteLine($"    echoed by {result.Name}: {result.Received} bytes back in {seconds:0.00} s, SHA-256 "
            + (result.SentSha256 == result.ReceivedSha256 ? "identical both ways" : "DIFFERENT"));
        Console.WriteLine("    (the accelerate plugin's counters appear in the daemon's stop line below)");
    }

    /// <summary>A demo step's heading (Program.cs prints its steps with this too).</summary>
    public static void Step(string text)
    {
        Console.WriteLine();
        Console.WriteLine($"\u001b[1m== {text}\u001b[0m");
    }
}
