using System.Diagnostics;
using System.Text.RegularExpressions;
using Kmesh.Sdk.Testing;

namespace Kmesh.Bench;

/// <summary>The control plane over ADS: the file source's pushes and one-endpoint changes, with the daemon following <c>kmesh-xds serve</c>.</summary>
public sealed partial class Bench
{
    private readonly List<(long Ns, string Line)> _serverLines = [];

    /// <summary>
    /// Where a control-plane variant's changes are written. For ADS, the server's directory holds
    /// mesh.yaml (listeners and clusters, the probe as an EDS cluster) and probe.yaml (the probe's
    /// ClusterLoadAssignment alone), so a one-endpoint change rewrites a file of a few hundred bytes.
    /// </summary>
    private sealed record ConfigTarget(string Source, string MeshFile, string? ProbeFile, Process? Server);

    private ConfigTarget FileTarget => new("file", _config, null, null);

    /// <summary>
    /// Replaces the file-source daemon by one that follows a <c>kmesh-xds serve</c> over ADS in
    /// <paramref name="mode"/> (same cgroup and pins), then pushes 10 → 1 000 → 10 000 services with
    /// one-endpoint changes at 10 and 10 000. A failure is recorded for the report, not thrown.
    /// </summary>
    private async Task ControlPlaneAdsAsync(string mode)
    {
        var source = "ads-" + mode;
        if (o.XdsServerDll is null)
        {
            _r.SourceProblems[source] = "no --xds-server given";
            return;
        }
        await StopDaemonAsync();
        var dir = Path.Combine(_work, source);
        Directory.CreateDirectory(dir);
        var mesh = Path.Combine(dir, "mesh.yaml");
        var probeFile = Path.Combine(dir, "probe.yaml");
        File.WriteAllText(mesh, MeshConfig.Generate(10, probeOpen: false, probeEds: true));
        File.WriteAllText(probeFile, MeshConfig.ProbeAssignment(probeOpen: false));
        Process? server = null;
        _r.Sources.Add(source);
        try
        {
            Log($"control plane over ADS ({mode}): kmesh-xds serve --dir {dir}");
            var port = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_serverLines)
                _serverLines.Clear();
            server = Proc.Start("dotnet", [o.XdsServerDll, "serve", "--dir", dir, "--port", "0"], line =>
            {
                lock (_serverLines)
                    _serverLines.Add((Proc.MonotonicNs(), line));
                if (Regex.Match(line, @"on 127\.0\.0\.1:(\d+)") is { Success: true } m)
                    port.TrySetResult(int.Parse(m.Groups[1].Value, Inv));
            });
            var bound = await port.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
            _daemon = DaemonProcess.Start(o.DaemonDll,
                ["--xds", $"127.0.0.1:{bound}", "--xds-mode", mode, "--cgroup", _clean.CgroupPath, "--bpffs", _clean.PinPath, "--plugin-dir", o.PluginDir],
                line =>
                {
                    lock (_daemonLines)
                        _daemonLines.Add((Proc.MonotonicNs(), line));
                });
            await _daemon.WaitReadyAsync(TimeSpan.FromSeconds(120));
            var target = new ConfigTarget(source, mesh, probeFile, server);
            var probeOpen = await EdsChangesAsync(target, 10, probeOpen: false);
            await PushAsync(target, 1000);
            await PushAsync(target, 10000);
            await EdsChangesAsync(target, 10000, probeOpen);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException)
        {
            _r.SourceProblems[source] = e.Message.Split('\n')[0];
            Log($"ADS ({mode}) failed: {e.Message}");
        }
        finally
        {
            await StopDaemonAsync();
            if (server is not null)
                Proc.Stop(server);
            TryDelete(dir);
        }
    }

    /// <summary>When the ADS server logged that it published the files' new content, after line <paramref name="skip"/>; null if it did not.</summary>
    private long? ServerPublished(int skip)
    {
        lock (_serverLines)
        {
            foreach (var (ns, line) in _serverLines.Skip(skip))
            {
                if (line.Contains("files changed:", StringComparison.Ordinal))
                    return ns;
            }
        }
        return null;
    }

    private int ServerLineCount()
    {
        lock (_serverLines)
            return _serverLines.Count;
    }
}
