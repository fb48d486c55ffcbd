using System.Diagnostics;
using System.Globalization;
using System.Text;
using Envoy.Config.Endpoint.V3;
using Kmesh.Core.Datapath;
using Kmesh.Core.Hosting;
using Kmesh.Core.Mesh;
using Kmesh.Core.Plugins;
using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds.Ads;
using Kmesh.Xds.Server;
using Kmesh.Xds.Sources;
using Microsoft.Extensions.Logging.Abstractions;

using Kmesh.Core.Tests.Incremental;

namespace Kmesh.Bench.Micro;

/// <summary>
/// Issue 16's one-endpoint change, in process and without a kernel: <c>kmesh xds serve</c>'s
/// server on a directory of 100 files (10 000 services: listener, EDS cluster and a
/// ClusterLoadAssignment of 10 endpoints each), the daemon's ADS client following it, and the
/// daemon's update (snapshot, the full plugin chain's translation, the reconciler) into in-memory
/// maps. One endpoint moves by an atomic rename of the file holding its ClusterLoadAssignment;
/// measured: rename → the update holding it committed (what the kernel maps would hold then: their
/// writes are one syscall per entry changed), the process's CPU per change (server, client and
/// daemon together) and the daemon update's own time. The daemon with and without its incremental
/// path, delta and SotW. Run: dotnet run -c Release --project bench/Kmesh.Bench.Micro -- --one-endpoint [--services N] [--changes N] [--mode delta|sotw] [--incremental-only];
/// with <c>--write-layout DIR</c> it only writes the directory, with <c>--move-endpoint DIR I [--staged]</c> only change I (for bench/scale16-daemon.sh; staged: written under a temporary name, its path and the target's printed, for the caller to rename).
/// </summary>
public static class OneEndpointChange
{
    private const int Files = 100;
    private const int EndpointsPerService = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        var services = Option(args, "--services", 10_000);
        var changes = Option(args, "--changes", 20);
        // The layout alone, for a daemon and server run outside this process (bench/scale16-daemon.sh).
        if (Array.IndexOf(args, "--write-layout") is var at and >= 0)
        {
            for (var f = 0; f < Files; f++)
                WriteFile(args[at + 1], f, services, moved: -1, aged: true);
            return 0;
        }
        if (Array.IndexOf(args, "--move-endpoint") is var move and >= 0)
        {
            var i = int.Parse(args[move + 2], CultureInfo.InvariantCulture);
            var service = i * (services / Files) % services + i % (services / Files);
            // --staged: the new file is left under its temporary name for the caller to rename, so
            // that the caller's clock starts at the rename, not at this process's start.
            var staged = Array.IndexOf(args, "--staged") >= 0;
            var (temp, path) = WriteFile(args[move + 1], FileOf(service, services), services, moved: i, aged: false, rename: !staged);
            Console.WriteLine(staged ? $"{temp} {path}" : string.Create(CultureInfo.InvariantCulture, $"{Name(service)} {9001 + i}"));
            return 0;
        }
        var dir = Directory.CreateTempSubdirectory("kmesh-scale16-").FullName;
        try
        {
            var report = new StringBuilder();
            report.AppendLine(CultureInfo.InvariantCulture, $"one-endpoint change at {services} services / {services * EndpointsPerService} endpoints in {Files} files, {changes} changes per row ({Environment.ProcessorCount} CPUs)");
            report.AppendLine();
            var written = Stopwatch.StartNew();
            for (var f = 0; f < Files; f++)
                WriteFile(dir, f, services, moved: -1, aged: true);
            report.AppendLine(CultureInfo.InvariantCulture, $"- files written in {written.ElapsedMilliseconds} ms");

            // The server alone: the first read parses every file (what every change cost before issue 16); a change parses one.
            var directory = new ResourceDirectory(dir, NullLogger.Instance);
            var cpu = Cpu();
            var timer = Stopwatch.StartNew();
            var first = directory.Read();
            report.AppendLine(CultureInfo.InvariantCulture, $"- server, whole directory read (parsed {first.FilesParsed} of {first.FilesTotal} files): {timer.Elapsed.TotalMilliseconds:0} ms, {(Cpu() - cpu).TotalMilliseconds:0} ms CPU");
            var reads = new List<double>();
            var readCpu = new List<double>();
            var resourcesParsed = 0;
            for (var i = 0; i < changes; i++)
            {
                WriteFile(dir, i % Files, services, moved: i, aged: false);
                timer.Restart();
                var threadCpu = ThreadCpu.Milliseconds();
                var read = directory.Read();
                readCpu.Add(ThreadCpu.Milliseconds() - threadCpu);
                reads.Add(timer.Elapsed.TotalMilliseconds);
                resourcesParsed += read.ResourcesParsed;
                if (read.FilesParsed != 1 || read.Changes.Values.Sum(c => c.Count) != 1)
                    throw new InvalidOperationException($"a one-endpoint change parsed {read.FilesParsed} files and changed {read.Changes.Values.Sum(c => c.Count)} resources");
            }
            report.AppendLine(CultureInfo.InvariantCulture, $"- server, one file changed (parsed 1, one resource changed; {resourcesParsed / (double)changes:0.#} resources parsed per change): p50 {Percentile(reads, 50):0.0} ms, p99 {Percentile(reads, 99):0.0} ms; CPU (the reading thread's) p50 {Percentile(readCpu, 50):0.0} ms, p99 {Percentile(readCpu, 99):0.0} ms");
            report.AppendLine();
            report.AppendLine("| client | daemon path | ready (first push) | rename → committed p50 / p99 | daemon update p50 / p99 | daemon update CPU p50 / p99 | process CPU per change |");
            report.AppendLine("| --- | --- | --- | --- | --- | --- | --- |");
            // --mode delta|sotw and --incremental-only narrow the rows (for a profiler attached to one of them).
            var modes = Array.IndexOf(args, "--mode") is var m and >= 0
                ? [Enum.Parse<XdsMode>(args[m + 1], ignoreCase: true)]
                : new[] { XdsMode.Delta, XdsMode.Sotw };
            var paths = Array.IndexOf(args, "--incremental-only") >= 0 ? [true] : new[] { true, false };
            foreach (var mode in modes)
            {
                foreach (var incremental in paths)
                {
                    for (var f = 0; f < Files; f++)
                        WriteFile(dir, f, services, moved: -1, aged: true);
                    var row = await MeasureAsync(dir, services, changes, mode, incremental).ConfigureAwait(false);
                    report.AppendLine(row);
                    Console.Error.WriteLine(row);
                }
            }
            Console.WriteLine(report.ToString());
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task<string> MeasureAsync(string dir, int services, int changes, XdsMode mode, bool incremental)
    {
        await using var server = await FileAdsServer.StartAsync(dir, 0).ConfigureAwait(false);
        var sink = new Sink(incremental);
        using var stop = new CancellationTokenSource();
        var source = new AdsConfigSource(new XdsClientOptions { Address = $"127.0.0.1:{server.Port}", Mode = mode }, NullLogger.Instance);
        var started = Stopwatch.StartNew();
        var run = source.RunAsync(sink, stop.Token);
        await sink.WaitAsync(u => u.Warm && u.Resources.Endpoints.Count >= services, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
        var ready = started.Elapsed;
        sink.Clear();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ready ({mode}, {(incremental ? "incremental" : "full")}) in {ready.TotalSeconds:0.00} s; changing"));

        var latencies = new List<double>();
        var cpuTotal = TimeSpan.Zero;
        for (var i = 0; i < changes; i++)
        {
            var service = i * (services / Files) % services + i % (services / Files);
            var port = 9001 + i;
            var cpu = Cpu();
            var timer = Stopwatch.StartNew();
            WriteFile(dir, FileOf(service, services), services, moved: i, aged: false);
            await sink.WaitAsync(u => PortOf(u, service) == port, TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            latencies.Add(timer.Elapsed.TotalMilliseconds);
            cpuTotal += Cpu() - cpu;
            await Task.Delay(50).ConfigureAwait(false); // the ACK and the quiet after it, outside the next measurement
        }
        var updates = sink.Updates.ToList();
        var updateCpu = sink.UpdateCpu.ToList();
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await run.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"| {mode.ToString().ToLowerInvariant()} | {(incremental ? "incremental" : "full (before)")} | {ready.TotalSeconds:0.00} s | {Percentile(latencies, 50):0.0} / {Percentile(latencies, 99):0.0} ms | {Percentile(updates, 50):0.0} / {Percentile(updates, 99):0.0} ms | {Percentile(updateCpu, 50):0.0} / {Percentile(updateCpu, 99):0.0} ms | {cpuTotal.TotalMilliseconds / changes:0.0} ms |");
    }

    private static int? PortOf(ConfigUpdate update, int service)
    {
        var name = Name(service);
        foreach (var assignment in update.Resources.Endpoints)
        {
            if (assignment.ClusterName == name)
                return (int)assignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue;
        }
        return null;
    }

    private static int FileOf(int service, int services) => service / (services / Files);

    /// <summary>Writes file <paramref name="file"/> by atomic rename; change <paramref name="moved"/> (≥ 0) moves endpoint 0 of one of its services to port 9001+moved.</summary>
    private static (string Temp, string Path) WriteFile(string dir, int file, int services, int moved, bool aged, bool rename = true)
    {
        var per = services / Files;
        var movedService = moved < 0 ? -1 : moved * per % services + moved % per;
        var text = new StringBuilder(per * 1400);
        text.Append("resources:\n");
        for (var s = file * per; s < (file + 1) * per; s++)
        {
            var name = Name(s);
            text.Append(CultureInfo.InvariantCulture, $$"""
                - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
                  name: {{name}}
                  address: { socket_address: { address: 127.20.{{s / 250}}.{{s % 250 + 1}}, port_value: 80 } }
                  filter_chains: [ { filters: [ { name: envoy.filters.network.tcp_proxy, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: {{name}}, cluster: {{name}} } } ] } ]
                - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
                  name: {{name}}
                  type: EDS
                  eds_cluster_config: { eds_config: { ads: {} } }
                - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
                  cluster_name: {{name}}
                  endpoints:
                  - lb_endpoints:

                """);
            for (var e = 0; e < EndpointsPerService; e++)
            {
                var k = s * EndpointsPerService + e;
                var port = s == movedService && e == 0 ? 9001 + moved : 9000;
                text.Append(CultureInfo.InvariantCulture, $"    - endpoint: {{ address: {{ socket_address: {{ address: 127.{100 + k / 62500}.{k / 250 % 250}.{k % 250 + 1}, port_value: {port} }} }} }}\n");
            }
        }
        var path = Path.Combine(dir, $"mesh-{file:000}.yaml");
        var temp = Path.Combine(dir, $".mesh-{file:000}.tmp");
        File.WriteAllText(temp, text.ToString());
        if (aged)
            File.SetLastWriteTimeUtc(temp, DateTime.UtcNow - TimeSpan.FromMinutes(10));
        if (rename)
            File.Move(temp, path, overwrite: true);
        return (temp, path);
    }

    private static string Name(int s) => "svc-" + s.ToString(CultureInfo.InvariantCulture);

    private static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    private static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    private static double Percentile(List<double> values, int p)
    {
        if (values.Count == 0)
            return double.NaN;
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p / 100.0 * sorted.Count) - 1)];
    }

    /// <summary>The daemon's side: every offer prepared and committed into in-memory maps, as UpdateLoop does.</summary>
    private sealed class Sink : IConfigSink
    {
        private readonly MeshUpdater _updater;
        private readonly Lock _lock = new();
        private ConfigUpdate? _last;
        private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Sink(bool incremental)
        {
            var datapath = new MapsDatapath(
                ("routing", new Kmesh.Plugins.Routing.RoutingTranslator()),
                ("ratelimit", new Kmesh.Plugins.RateLimit.RateLimitTranslator()),
                ("faultinject", new Kmesh.Plugins.FaultInject.FaultInjectTranslator()),
                ("circuitbreaker", new Kmesh.Plugins.CircuitBreaker.CircuitBreakerTranslator()),
                ("loadbalance", new Kmesh.Plugins.LoadBalance.LoadBalanceTranslator()));
            _updater = new MeshUpdater(datapath, new DnsCache(), NullLogger.Instance) { Incremental = incremental };
        }

        /// <summary>Milliseconds each update took (prepare and commit), since cleared.</summary>
        public List<double> Updates { get; } = [];

        /// <summary>Milliseconds of CPU each update took (its thread's), since cleared.</summary>
        public List<double> UpdateCpu { get; } = [];

        public void Clear()
        {
            lock (_lock)
            {
                Updates.Clear();
                UpdateCpu.Clear();
            }
        }

        public Task<ConfigVerdict> OfferAsync(ConfigUpdate update, CancellationToken cancellationToken)
        {
            var timer = Stopwatch.StartNew();
            var cpu = ThreadCpu.Milliseconds();
            var prepared = _updater.Prepare(update.Resources, update.Version);
            var result = _updater.Commit(prepared);
            cpu = ThreadCpu.Milliseconds() - cpu;
            if (!result.Complete)
                throw new InvalidOperationException(string.Join("; ", result.PluginErrors));
            TaskCompletionSource fired;
            lock (_lock)
            {
                Updates.Add(timer.Elapsed.TotalMilliseconds);
                UpdateCpu.Add(cpu);
                _last = update;
                fired = _changed;
                _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            fired.TrySetResult();
            return Task.FromResult(ConfigVerdict.Accept);
        }

        public async Task WaitAsync(Func<ConfigUpdate, bool> done, TimeSpan timeout)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                Task next;
                lock (_lock)
                {
                    if (_last is not null && done(_last))
                        return;
                    next = _changed.Task;
                }
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                    throw new TimeoutException("the change did not arrive");
                await next.WaitAsync(left).ConfigureAwait(false);
            }
        }
    }
}
