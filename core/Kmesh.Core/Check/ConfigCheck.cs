using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// <c>kmesh config check</c>: a dry run of config files through the chain's translators, with
/// no kernel, that says for every item of every file what became of it (<see cref="ResourceOutcome"/>).
/// Each file is checked on its own, as <c>kmesh run --config</c> would load it.
/// </summary>
public sealed class ConfigCheck(IReadOnlyList<CheckPlugin> plugins, CheckOptions? options = null)
{
    private readonly CheckOptions _options = options ?? new CheckOptions();

    /// <summary>Files from this size on are followed by a compacting collection (see <see cref="CheckEach"/>).</summary>
    public const long LargeFile = 1024 * 1024;

    /// <summary>The chain, in order: name and version.</summary>
    public IReadOnlyList<(string Name, string Version)> Chain => plugins.Select(p => (p.Name, p.Version)).ToList();

    /// <summary>Whether host names are resolved.</summary>
    public bool DnsResolved => _options.ResolveDns;

    /// <summary>Checks each file, in order, holding every result.</summary>
    public CheckReport Run(IEnumerable<string> paths) => new(Chain, _options.ResolveDns, CheckEach(paths).ToList());

    /// <summary>
    /// Checks each file, in order, one at a time as the caller asks for the next: a writer that
    /// writes each result and lets it go keeps the footprint near the largest file's, not the sum
    /// of all of them. The garbage a large file leaves (its text, its tree, its messages) sits
    /// in gen 2 and the large object heap, which the runtime keeps mapped; one compacting
    /// collection after such a file hands it back before the next is read.
    /// </summary>
    public IEnumerable<FileResult> CheckEach(IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            yield return CheckFile(path);
            if (SizeOf(path) >= LargeFile)
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        }
    }

    private static long SizeOf(string path)
    {
        try
        {
            return File.Exists(path) ? new FileInfo(path).Length : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>Reads and checks one file.</summary>
    public FileResult CheckFile(string path)
    {
        string text;
        try
        {
            text = ConfigText.Read(path);
        }
        catch (ConfigParseException e)
        {
            // Too large, or a binary file: read, but not YAML or JSON text.
            return FileResult.NotChecked(path, FileStatus.NotParsed, new FileProblem(e.Message, e.Line, e.Column, e.FieldPath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            // ConfigText's own messages (a directory) name the path already; the runtime's do not.
            var message = e.Message.StartsWith(path + ":", StringComparison.Ordinal) ? e.Message : $"{path}: {e.Message}";
            return FileResult.NotChecked(path, FileStatus.Unreadable, new FileProblem(message));
        }
        return CheckText(path, text);
    }

    /// <summary>Checks the text of a file named <paramref name="path"/> (not read).</summary>
    public FileResult CheckText(string path, string text)
    {
        ConfigInventory inventory;
        try
        {
            inventory = EnvoyConfigFile.Inventory(path, text);
        }
        catch (ConfigParseException e)
        {
            var status = e.NotEnvoyConfig ? FileStatus.NotEnvoyXds : FileStatus.NotParsed;
            var message = e.NotEnvoyConfig ? $"not Envoy xDS: {e.Message}" : e.Message;
            return FileResult.NotChecked(path, status, new FileProblem(message, e.Line, e.Column, e.FieldPath));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A bug of the reader must not hide the other files' results.
            return FileResult.NotChecked(path, FileStatus.NotParsed,
                new FileProblem($"{path}: kmesh failed reading it ({e.GetType().Name}: {e.Message}); this is a bug, please report it"));
        }
        return FileTranslation.Run(path, inventory, plugins, _options);
    }
}
