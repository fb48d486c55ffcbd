using System.Text.Json;
using Kmesh.Xds.Tests.Hostile;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh config check</c> as a process fed the hostile table in one invocation: every bad file
/// is a clear error naming the limit, every other file is still checked, the JSON is whole, and
/// memory stays under a stated bound.
/// </summary>
public sealed class HostileConfigCheckTests : IDisposable
{
    /// <summary>The whole table in one process: the runtime and plugins take ~100 MiB, the 5 MB string ~60 more.</summary>
    private const long TableBoundMiB = 400;

    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Exit, string Stdout, string Stderr, long PeakMiB)> CheckAsync(params string[] arguments) =>
        PeakMemory.RunAsync(RepoPaths.DotnetHost, [RepoPaths.DaemonDll, "config", "check", "--plugin-dir", RepoPaths.Plugins, .. arguments],
            TimeSpan.FromMinutes(3));

    [Fact]
    public async Task HostileTable_EachBadFileIsAnErrorNamingTheLimit_TheOthersAreChecked_UnderTheBound()
    {
        var table = HostileConfigs.Table().ToList();
        var paths = table.Select(t => Path.Combine(_dir, t.Name + ".yaml")).ToList();
        for (var i = 0; i < table.Count; i++)
            File.WriteAllText(paths[i], table[i].Text);
        var binary = Path.Combine(_dir, "binary.yaml");
        File.WriteAllBytes(binary, HostileConfigs.Binary());

        var (exit, stdout, stderr, peak) = await CheckAsync(["--json", .. paths, binary, _dir]);

        Assert.Equal(1, exit);
        using var json = JsonDocument.Parse(stdout);
        var files = json.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(table.Count + 2, files.Count);
        for (var i = 0; i < table.Count; i++)
        {
            var (name, _, error) = table[i];
            var status = files[i].GetProperty("status").GetString();
            if (error is null)
            {
                Assert.True(status == "checked", $"{name}: {files[i]}");
                continue;
            }
            Assert.True(status is "notParsed" or "notEnvoyXds", $"{name}: {status}");
            var message = files[i].GetProperty("problem").GetProperty("message").GetString()!;
            Assert.Contains(error, message);
            Assert.StartsWith($"{paths[i]}:", message.Replace("not Envoy xDS: ", "", StringComparison.Ordinal));
            Assert.True(files[i].GetProperty("problem").GetProperty("line").GetInt32() >= 1, name);
        }
        Assert.Equal($"{binary}:1:1: a NUL byte at byte 7: a binary file, not YAML or JSON text",
            files[^2].GetProperty("problem").GetProperty("message").GetString());
        Assert.Equal("unreadable", files[^1].GetProperty("status").GetString());
        Assert.Contains("is a directory, not a config file; name a file", files[^1].GetProperty("problem").GetProperty("message").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("exitCode").GetInt32());
        Assert.DoesNotContain("Exception", stderr);
        Assert.True(peak < TableBoundMiB, $"config check peaked at {peak} MiB, over {TableBoundMiB} MiB");
    }

    [Theory]
    [InlineData("directory", "NOT READ: {0}: is a directory, not a config file; name a file (for each file in it: {0}/*.yaml)")]
    [InlineData("binary", "NOT PARSED: {0}:1:1: a NUL byte at byte 7: a binary file, not YAML or JSON text")]
    [InlineData("truncated", "NOT PARSED: {0}:8:1: invalid YAML: ")]
    public async Task BadFile_IsOneLineSayingWhatIsWrong_ExitOne(string kind, string expected)
    {
        var path = Path.Combine(_dir, kind);
        switch (kind)
        {
            case "directory": Directory.CreateDirectory(path); break;
            case "binary": File.WriteAllBytes(path, HostileConfigs.Binary()); break;
            default: File.WriteAllText(path, HostileConfigs.Truncated()); break;
        }

        var (exit, stdout, stderr, _) = await CheckAsync(path);

        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.StartsWith($"{path}: " + string.Format(expected, path), stdout.Split('\n')[2]);
    }

    [Fact]
    public async Task ManyLargeFiles_CostAboutWhatTheLargestDoes()
    {
        // 30 files of 1-5 MB strings (the case: 94 such files took 2.5 GB, the largest alone 294 MB).
        var paths = Enumerable.Range(0, 30).Select(i =>
        {
            var path = Path.Combine(_dir, $"big{i:00}.yaml");
            File.WriteAllText(path, HostileConfigs.HugeString((1 + i % 5) * 1024 * 1024).Replace("name: c", $"name: c{i}", StringComparison.Ordinal));
            return path;
        }).ToList();

        var largest = await CheckAsync("--json", paths[4]);
        var all = await CheckAsync(["--json", .. paths]);

        Assert.Equal((0, 0), (largest.Exit, all.Exit));
        Assert.Equal(30, JsonDocument.Parse(all.Stdout).RootElement.GetProperty("totals").GetProperty("applied").GetInt32());
        // Measured: 158 MiB for the largest, 192 MiB for all 40 of a similar set.
        Assert.True(all.PeakMiB < largest.PeakMiB + 100, $"all files peaked at {all.PeakMiB} MiB, the largest alone at {largest.PeakMiB} MiB");
    }
}
