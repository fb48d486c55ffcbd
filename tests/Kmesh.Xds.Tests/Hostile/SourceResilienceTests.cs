using Kmesh.Xds.Server;
using Kmesh.Xds.Sources;
using Kmesh.Xds.Tests.Ads;
using Microsoft.Extensions.Logging;

namespace Kmesh.Xds.Tests.Hostile;

/// <summary>
/// The watched config file and <c>kmesh xds serve</c>'s directory, fed the hostile table live:
/// each bad version is reported, nothing is offered or served from it, and the source keeps
/// watching, so the next valid version is applied.
/// </summary>
public sealed class SourceResilienceTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-resilience-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly string[] Bad =
    [
        "mappings-1000", "mappings-10000", "sequences-10000", "json-10000", "bare-10000", "alias-bomb", "alias-cycle",
        "deep-through-alias", "huge-string", "duplicate-key", "truncated",
    ];

    private static string BadText(string name) => HostileConfigs.Table().Single(t => t.Name == name).Text;

    private static void Replace(string path, string text)
    {
        File.WriteAllText(path + ".tmp", text);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    [Fact]
    public async Task WatchedFile_SurvivesEveryHostileEdit_AndAppliesTheNextValidOne()
    {
        var path = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(path, HostileConfigs.ClusterWithMetadata("{ v: 0 }", "c0"));
        var log = new ListLogger();
        await using var source = new FileConfigSource(path, log);
        var sink = new RecordingSink();
        using var stop = new CancellationTokenSource();
        var run = source.RunAsync(sink, stop.Token);

        for (var i = 0; i < Bad.Length; i++)
        {
            var name = Bad[i];
            var expected = HostileConfigs.Table().Single(t => t.Name == name).Error!;
            Replace(path, BadText(name));
            await log.WaitForAsync(l => l.Contains(expected, StringComparison.Ordinal), Timeout, name);
            Assert.False(run.IsCompleted, $"the source stopped after {name}: {run.Exception}");

            Replace(path, HostileConfigs.ClusterWithMetadata($"{{ v: {i + 1} }}", $"c{i + 1}"));
            var update = await sink.NextAsync().WaitAsync(Timeout);
            Assert.Equal($"c{i + 1}", Assert.Single(update.Resources.Clusters).Name);
        }

        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task XdsServe_KeepsTheLastGoodContentOfABadFile_AndServesTheNextValidOne()
    {
        var path = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(path, HostileConfigs.ClusterWithMetadata("{ v: 0 }", "c0"));
        var log = new ListLogger();
        using var factory = LoggerFactory.Create(b => b.AddProvider(log));
        await using var server = await FileAdsServer.StartAsync(_dir, 0, factory);

        for (var i = 0; i < Bad.Length; i++)
        {
            var name = Bad[i];
            var expected = HostileConfigs.Table().Single(t => t.Name == name).Error!;
            // Through the directory watcher, as in `kmesh xds serve`: its timer thread must not die.
            Replace(path, BadText(name));
            await log.WaitForAsync(l => l.Contains(expected, StringComparison.Ordinal) && l.Contains("serving its last good content"), Timeout, name);
            Assert.Equal([$"c{i}"], server.Store.Current.Of(Kmesh.Envoy.Api.EnvoyTypes.Cluster).Keys);

            Replace(path, HostileConfigs.ClusterWithMetadata($"{{ v: {i + 1} }}", $"c{i + 1}"));
            await WaitUntilAsync(() => server.Store.Current.Of(Kmesh.Envoy.Api.EnvoyTypes.Cluster).ContainsKey($"c{i + 1}"), Timeout, name);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {what}");
            await Task.Delay(50);
        }
    }
}
