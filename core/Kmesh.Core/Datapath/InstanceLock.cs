using System.Security.Cryptography;
using System.Text;

namespace Kmesh.Core.Datapath;

/// <summary>
/// One daemon per pin folder: a second one would take the first's pins for stale and remove
/// them under it. The lock is an exclusive open of a file under /run (the runtime maps
/// FileShare.None to flock), so the kernel releases it when the holder dies, however it dies.
/// </summary>
public sealed class InstanceLock : IDisposable
{
    private readonly FileStream _file;

    private InstanceLock(FileStream file) => _file = file;

    /// <summary>Where lock files live.</summary>
    public static string Directory { get; set; } = "/run/kmesh";

    /// <summary>Takes the lock for <paramref name="pinFolder"/>, or throws naming the folder.</summary>
    public static InstanceLock Acquire(string pinFolder)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var path = LockPath(pinFolder);
        try
        {
            var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            // The lock file itself cannot be read by others while held; the owner goes beside it.
            File.WriteAllText(OwnerPath(path), $"{Environment.ProcessId}");
            return new InstanceLock(file);
        }
        catch (IOException)
        {
            var owner = File.Exists(OwnerPath(path)) ? File.ReadAllText(OwnerPath(path)).Trim() : "unknown";
            throw new IOException($"another kmesh daemon (pid {owner}) already uses pin folder {pinFolder}; stop it or pass another --bpffs");
        }
    }

    private static string OwnerPath(string lockPath) => lockPath + ".owner";

    /// <summary>
    /// A file of the instance's that must outlive the daemon with its pin folder but cannot live on
    /// bpffs (which holds only BPF objects): beside the lock, e.g. the mesh ids (<c>ids.json</c>).
    /// </summary>
    public static string StatePath(string pinFolder, string suffix) => Path.ChangeExtension(LockPath(pinFolder), suffix);

    private static string LockPath(string pinFolder)
    {
        var id = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(pinFolder))))[..16].ToLowerInvariant();
        return Path.Combine(Directory, $"instance-{id}.lock");
    }

    /// <summary>The pid of the live daemon holding <paramref name="pinFolder"/>, or null when none does.</summary>
    public static int? OwnerOf(string pinFolder)
    {
        var path = LockPath(pinFolder);
        try
        {
            // If we can take the lock, nobody holds it.
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (IOException)
        {
            return int.TryParse(File.ReadAllText(OwnerPath(path)).Trim(), out var pid) ? pid : null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => _file.Dispose();
}
