using System.Collections.Concurrent;

namespace Kmesh.Xds.Tests;

/// <summary>The watcher reports real content changes, however the file was replaced, and nothing else.</summary>
public sealed class ConfigFileWatcherTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-watch-").FullName;
    private readonly BlockingCollection<string> _seen = new();

    private string FilePath => Path.Combine(_dir, "mesh.yaml");

    public void Dispose()
    {
        _seen.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private ConfigFileWatcher Watch(TimeSpan? poll = null) =>
        new(FilePath, _seen.Add, debounce: TimeSpan.FromMilliseconds(50), pollInterval: poll);

    private string Next()
    {
        Assert.True(_seen.TryTake(out var text, Wait), "no change was reported");
        return text!;
    }

    [Fact]
    public void InPlaceEdit_IsReportedOnce()
    {
        File.WriteAllText(FilePath, "v1");
        using var watcher = Watch();
        Assert.Equal("v1", watcher.CurrentText);

        File.WriteAllText(FilePath, "v2");

        Assert.Equal("v2", Next());
        Assert.False(_seen.TryTake(out _, TimeSpan.FromMilliseconds(500)), "one edit, one callback");
        Assert.Equal("v2", watcher.CurrentText);
    }

    [Fact]
    public void RenameOverTheFile_IsReported()
    {
        File.WriteAllText(FilePath, "v1");
        using var watcher = Watch();

        var temp = Path.Combine(_dir, ".mesh.yaml.tmp");
        File.WriteAllText(temp, "v2 by rename");
        File.Move(temp, FilePath, overwrite: true);

        Assert.Equal("v2 by rename", Next());
    }

    [Fact]
    public void RenameOverTheFile_IsReadAtOnce_AnInPlaceEditAfterTheDebounce()
    {
        File.WriteAllText(FilePath, "v1");
        // A debounce far longer than the test waits: only the rename path can report in time.
        using var watcher = new ConfigFileWatcher(FilePath, _seen.Add, debounce: TimeSpan.FromMinutes(5), pollInterval: TimeSpan.FromHours(1));

        File.WriteAllText(FilePath, "v2 in place");
        Assert.False(_seen.TryTake(out _, TimeSpan.FromSeconds(2)), "an in-place edit was read before the debounce");

        var temp = Path.Combine(_dir, ".mesh.yaml.tmp");
        File.WriteAllText(temp, "v3 by rename");
        File.Move(temp, FilePath, overwrite: true);

        Assert.Equal("v3 by rename", Next());
    }

    [Fact]
    public void FileMovedInFromAnotherDirectory_IsReadAtOnce()
    {
        File.WriteAllText(FilePath, "v1");
        var staging = Directory.CreateTempSubdirectory("kmesh-watch-staging-").FullName;
        try
        {
            using var watcher = new ConfigFileWatcher(FilePath, _seen.Add, debounce: TimeSpan.FromMinutes(5), pollInterval: TimeSpan.FromHours(1));
            var staged = Path.Combine(staging, "mesh.yaml");
            File.WriteAllText(staged, "v2 moved in");

            File.Move(staged, FilePath, overwrite: true);

            Assert.Equal("v2 moved in", Next());
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [Fact]
    public void KubernetesConfigMapVolumeUpdate_IsReadAtOnce()
    {
        // The kubelet's atomic writer: the file is a link through ..data to a timestamped folder;
        // an update writes a new folder, points ..data_tmp at it and renames that over ..data.
        Directory.CreateDirectory(Path.Combine(_dir, "..v1"));
        File.WriteAllText(Path.Combine(_dir, "..v1", "mesh.yaml"), "v1");
        File.CreateSymbolicLink(Path.Combine(_dir, "..data"), "..v1");
        File.CreateSymbolicLink(FilePath, "..data/mesh.yaml");
        using var watcher = new ConfigFileWatcher(FilePath, _seen.Add, debounce: TimeSpan.FromMinutes(5), pollInterval: TimeSpan.FromHours(1));
        Assert.Equal("v1", watcher.CurrentText);

        Directory.CreateDirectory(Path.Combine(_dir, "..v2"));
        File.WriteAllText(Path.Combine(_dir, "..v2", "mesh.yaml"), "v2 from the ConfigMap");
        File.CreateSymbolicLink(Path.Combine(_dir, "..data_tmp"), "..v2");
        // rename(2) of one link over the other, as the kubelet does (File.Move would follow the link to a folder).
        using (var mv = System.Diagnostics.Process.Start("mv", ["-T", Path.Combine(_dir, "..data_tmp"), Path.Combine(_dir, "..data")]))
            mv.WaitForExit();

        Assert.Equal("v2 from the ConfigMap", Next());
    }

    [Fact]
    public void TouchWithoutChange_IsNotReported()
    {
        File.WriteAllText(FilePath, "same");
        using var watcher = Watch(poll: TimeSpan.FromMilliseconds(100));

        File.SetLastWriteTimeUtc(FilePath, DateTime.UtcNow.AddMinutes(1));
        File.WriteAllText(FilePath, "same");

        Assert.False(_seen.TryTake(out _, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void FileCreatedLater_IsReported()
    {
        using var watcher = Watch();
        Assert.Null(watcher.CurrentText);

        File.WriteAllText(FilePath, "born");

        Assert.Equal("born", Next());
    }

    [Fact]
    public void NoCallbackAfterDispose()
    {
        File.WriteAllText(FilePath, "v1");
        var watcher = Watch(poll: TimeSpan.FromMilliseconds(50));
        watcher.Dispose();

        File.WriteAllText(FilePath, "v2");

        Assert.False(_seen.TryTake(out _, TimeSpan.FromMilliseconds(500)));
    }
}
