using Kmesh.Xds.Server;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Xds.Tests.Ads;

/// <summary>
/// The ADS server's directory watcher: a resource file renamed into place (an atomic replace) is
/// read at once; other file events wait out the debounce, here made far longer than the test
/// waits so that which path fired is plain.
/// </summary>
public sealed class DirectoryWatcherTests : IDisposable
{
    private static readonly TimeSpan LongDebounce = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan NoPoll = TimeSpan.FromHours(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-dirwatch-").FullName;
    private readonly SemaphoreSlim _changes = new(0);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private DirectoryWatcher Watch() => new(_dir, () => _changes.Release(), NullLogger.Instance, NoPoll, LongDebounce);

    [Fact]
    public async Task ResourceFileRenamedIntoPlace_IsReadAtOnce()
    {
        using var watcher = Watch();
        var tmp = Path.Combine(_dir, "eds.yaml.tmp");
        await File.WriteAllTextAsync(tmp, "resources: []\n");

        File.Move(tmp, Path.Combine(_dir, "eds.yaml"));

        Assert.True(await _changes.WaitAsync(TimeSpan.FromSeconds(30)), "the rename was not read before the debounce");
    }

    [Fact]
    public async Task ResourceFileMovedInFromAnotherDirectory_IsReadAtOnce()
    {
        // How control planes and config managers stage a file: written elsewhere, moved in (inotify's
        // IN_MOVED_TO alone, which .NET's FileSystemWatcher reports as Created, like an empty new file).
        var staging = Directory.CreateTempSubdirectory("kmesh-dirwatch-staging-").FullName;
        try
        {
            using var watcher = Watch();
            var staged = Path.Combine(staging, "eds.yaml");
            await File.WriteAllTextAsync(staged, "resources: []\n");

            File.Move(staged, Path.Combine(_dir, "eds.yaml"), overwrite: true);

            Assert.True(await _changes.WaitAsync(TimeSpan.FromSeconds(30)), "the file moved in was not read before the debounce");
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    [Fact]
    public async Task FileCreatedInPlace_WaitsForTheDebounce()
    {
        using var watcher = Watch();

        await File.WriteAllTextAsync(Path.Combine(_dir, "eds.yaml"), "resources: []\n");

        Assert.False(await _changes.WaitAsync(TimeSpan.FromSeconds(2)), "a file being written in place was read before the debounce");
    }

    [Fact]
    public async Task ARead_SaysHowLongAfterTheFirstEventSinceTheLastRead()
    {
        var seen = TimeSpan.Zero;
        DirectoryWatcher? watcher = null;
        using var started = new DirectoryWatcher(_dir, () => { seen = watcher!.EventToRead; _changes.Release(); }, NullLogger.Instance, NoPoll, LongDebounce);
        watcher = started;
        var tmp = Path.Combine(_dir, "eds.yaml.tmp");
        await File.WriteAllTextAsync(tmp, "resources: []\n");
        await Task.Delay(500); // the temporary file's events wait for the (long) debounce

        File.Move(tmp, Path.Combine(_dir, "eds.yaml"));

        Assert.True(await _changes.WaitAsync(TimeSpan.FromSeconds(30)), "the rename was not read before the debounce");
        // One read for both: measured from the temporary file's first event, half a second before the rename.
        Assert.InRange(seen, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WriteInPlace_OrRenameAwayFromAResourceName_WaitsForTheDebounce()
    {
        var path = Path.Combine(_dir, "eds.yaml");
        await File.WriteAllTextAsync(path, "resources: []\n");
        using var watcher = Watch();

        // An editor's save: the file is renamed to a backup, then written anew in place.
        File.Move(path, path + "~");
        await File.WriteAllTextAsync(path, "resources: []\n# edited\n");

        Assert.False(await _changes.WaitAsync(TimeSpan.FromSeconds(2)), "a half-done save was read before the debounce");
    }
}
