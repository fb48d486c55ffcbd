using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Xds;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The independent ADS server (<c>interop/ads-server/server.js</c>: @grpc/grpc-js + @grpc/proto-loader
/// over the protos of the pinned @grpc/grpc-js-xds) as a node process. It serves a JSON file of
/// resources; <see cref="PushAsync"/> has it re-read and push the file, <see cref="RestartAsync"/>
/// drops every stream and listens again on the same port. What it received (ACKs, NACKs with their
/// error_detail, nodes) is read from its event lines.
/// </summary>
internal sealed class NodeAdsServer : IAsyncDisposable
{
    private static readonly string Source = Path.Combine(AppContext.BaseDirectory, "interop", "ads-server");
    private readonly Process _process;
    private readonly List<JsonObject> _events = [];
    private readonly string _file;

    private NodeAdsServer(Process process, string file)
    {
        _process = process;
        _file = file;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line && JsonNode.Parse(line) is JsonObject json)
                lock (_events)
                    _events.Add(json);
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                lock (_events)
                    _events.Add(new JsonObject { ["event"] = "stderr", ["message"] = e.Data });
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; private set; }

    /// <summary>Every event so far, oldest first.</summary>
    public IReadOnlyList<JsonObject> Events
    {
        get
        {
            lock (_events)
                return _events.ToList();
        }
    }

    public IReadOnlyList<JsonObject> Nacks => Events.Where(e => (string?)e["event"] == "nack").ToList();

    public string Log => string.Join('\n', Events.Select(e => e.ToJsonString()));

    /// <summary>Installs the pinned packages (npm ci against the lockfile), writes <paramref name="yaml"/> as the served JSON, starts node.</summary>
    public static async Task<NodeAdsServer> StartAsync(string directory, string yaml, string version)
    {
        var modules = await InstallAsync();
        var file = Path.Combine(directory, "resources.json");
        await WriteAsync(file, yaml, version);
        var info = new ProcessStartInfo("node", [Path.Combine(modules, "server.js"), "--file", file, "--port", "0"])
        {
            WorkingDirectory = modules,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var server = new NodeAdsServer(Process.Start(info)!, file);
        var listening = await server.WaitForAsync(e => (string?)e["event"] == "listening", TimeSpan.FromSeconds(60));
        server.Port = (int)listening["port"]!;
        return server;
    }

    /// <summary>Serves <paramref name="yaml"/> (any shape Kmesh reads) as version <paramref name="version"/>, pushed to every stream now.</summary>
    public async Task PushAsync(string yaml, string version)
    {
        await WriteAsync(_file, yaml, version);
        var skip = Events.Count;
        await SendAsync("push");
        await WaitForAsync(e => (string?)e["event"] == "pushed" && (string?)e["version"] == version, TimeSpan.FromSeconds(30), skip);
    }

    /// <summary>Drops every stream and the listener, then listens again on the same port.</summary>
    public async Task RestartAsync()
    {
        var skip = Events.Count;
        await SendAsync("restart");
        await WaitForAsync(e => (string?)e["event"] == "listening", TimeSpan.FromSeconds(30), skip);
    }

    /// <summary>The first event from index <paramref name="skip"/> on that matches.</summary>
    public async Task<JsonObject> WaitForAsync(Func<JsonObject, bool> match, TimeSpan timeout, int skip = 0)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var found = Events.Skip(skip).FirstOrDefault(match);
            if (found is not null)
                return found;
            if (_process.HasExited || DateTime.UtcNow > deadline)
                throw new TimeoutException($"the node ADS server did not report the awaited event (exited: {_process.HasExited}):\n{Log}");
            await Task.Delay(50);
        }
    }

    private Task SendAsync(string command) => _process.StandardInput.WriteLineAsync(command);

    /// <summary>The mesh as the server's file: proto3 JSON (Envoy's field names) of every resource, with its @type.</summary>
    private static async Task WriteAsync(string file, string yaml, string version)
    {
        var resources = EnvoyConfigFile.Parse("mesh.yaml", yaml);
        var formatter = new JsonFormatter(JsonFormatter.Settings.Default.WithTypeRegistry(EnvoyTypes.Registry).WithPreserveProtoFieldNames(true));
        var list = new JsonArray();
        foreach (var message in resources.Clusters.Cast<IMessage>().Concat(resources.Endpoints).Concat(resources.Listeners).Concat(resources.Routes))
        {
            var json = (JsonObject)JsonNode.Parse(formatter.Format(message))!;
            json.Insert(0, "@type", EnvoyTypes.TypeUrlOf(message.Descriptor));
            list.Add(json);
        }
        var document = new JsonObject { ["version"] = version, ["resources"] = list };
        await File.WriteAllTextAsync(file + ".tmp", document.ToJsonString());
        File.Move(file + ".tmp", file, overwrite: true);
    }

    /// <summary>npm ci once per lockfile content, into a cache shared by test runs (a fresh machine installs here).</summary>
    private static async Task<string> InstallAsync()
    {
        var lockfile = await File.ReadAllBytesAsync(Path.Combine(Source, "package-lock.json"));
        var cache = Path.Combine(Path.GetTempPath(), "kmesh-ads-server-" + Convert.ToHexString(SHA256.HashData(lockfile))[..12]);
        if (!File.Exists(Path.Combine(cache, "node_modules", "@grpc", "grpc-js-xds", "package.json")))
        {
            var staging = cache + "." + Environment.ProcessId;
            Directory.CreateDirectory(staging);
            foreach (var name in new[] { "package.json", "package-lock.json" })
                File.Copy(Path.Combine(Source, name), Path.Combine(staging, name), overwrite: true);
            var (code, log) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--ignore-scripts"], staging);
            Assert.True(code == 0, "npm ci failed:\n" + log);
            if (!Directory.Exists(cache))
                Directory.Move(staging, cache);
            else
                Directory.Delete(staging, recursive: true);
        }
        File.Copy(Path.Combine(Source, "server.js"), Path.Combine(cache, "server.js"), overwrite: true);
        return cache;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string directory)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
