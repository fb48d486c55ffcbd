using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Kmesh.Xds.Server;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// <c>kmesh xds serve</c> against an independent xDS client: gRPC's own (<c>@grpc/grpc-js-xds</c>,
/// run by node). It resolves a gRPC target through LDS, RDS, CDS and EDS from our server and
/// calls the endpoint it found; every response must be ACKed.
/// </summary>
public sealed class GrpcJsXdsInteropTests : IDisposable
{
    private static readonly string Interop = Path.Combine(AppContext.BaseDirectory, "interop", "grpc-js-xds");
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-grpcjs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task GrpcJsXds_ResolvesThroughTheServer_AndReachesTheEndpoint()
    {
        var modules = await InstallAsync();
        await using var server = await FileAdsServer.StartAsync(_dir, 0);
        // The endpoint is the server itself: reaching it answers UNIMPLEMENTED, proof enough of a resolved route.
        await File.WriteAllTextAsync(Path.Combine(_dir, "grpc.yaml"), (await File.ReadAllTextAsync(Path.Combine(Interop, "grpc.yaml"))).Replace("PORT", server.Port.ToString()));
        server.Reload();
        var bootstrap = Path.Combine(_dir, "bootstrap.json");
        await File.WriteAllTextAsync(bootstrap, $$"""
            { "xds_servers": [ { "server_uri": "127.0.0.1:{{server.Port}}", "channel_creds": [ { "type": "insecure" } ], "server_features": ["xds_v3"] } ],
              "node": { "id": "grpc-js-probe", "locality": {} } }
            """);

        var (exitCode, output) = await RunAsync("node", [Path.Combine(modules, "probe.js")], modules, ("GRPC_XDS_BOOTSTRAP", bootstrap));

        Assert.True(exitCode == 0, output);
        using var status = JsonDocument.Parse(output.Trim().Split('\n').Last());
        Assert.True(status.RootElement.GetProperty("code").GetInt32() == 12, $"{output}\nNACKs: {string.Join("; ", server.Events.Nacks)}");
        Assert.Contains("grpc-js-probe", server.Events.Nodes);
        Assert.Empty(server.Events.Nacks);
        Assert.True(server.Events.Acks >= 4, $"{server.Events.Acks} ACKs");
    }

    /// <summary>npm-installs the pinned packages once per package.json content, in a cache shared by test runs.</summary>
    private static async Task<string> InstallAsync()
    {
        var manifest = await File.ReadAllBytesAsync(Path.Combine(Interop, "package.json"));
        var cache = Path.Combine(Path.GetTempPath(), "kmesh-grpc-js-xds-" + Convert.ToHexString(SHA256.HashData(manifest))[..12]);
        if (!File.Exists(Path.Combine(cache, "node_modules", "@grpc", "grpc-js-xds", "package.json")))
        {
            var staging = cache + "." + Environment.ProcessId;
            Directory.CreateDirectory(staging);
            File.Copy(Path.Combine(Interop, "package.json"), Path.Combine(staging, "package.json"), overwrite: true);
            var (code, log) = await RunAsync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts"], staging);
            Assert.True(code == 0, "npm install failed:\n" + log);
            if (!Directory.Exists(cache))
                Directory.Move(staging, cache);
            else
                Directory.Delete(staging, recursive: true);
        }
        File.Copy(Path.Combine(Interop, "probe.js"), Path.Combine(cache, "probe.js"), overwrite: true);
        return cache;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string directory, params (string Name, string Value)[] environment)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment)
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
