using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>Pinning on bpffs, and opening pinned maps by path.</summary>
public sealed partial class BpfMap
{
    private string? _pinnedFrom;

    /// <summary>
    /// Where the map is pinned: for an object's map, libbpf's pin path (set by
    /// <c>LIBBPF_PIN_BY_NAME</c> or <see cref="Pin"/>); for a map opened by path, that path.
    /// </summary>
    public unsafe string? PinPath
    {
        get
        {
            if (_object is null)
                return _pinnedFrom;
            var owner = FdLease.AddRef(_lifetime);
            try
            {
                byte* p = Libbpf.bpf_map__pin_path(_map);
                return p is null ? null : NativeString.Read(p);
            }
            finally
            {
                owner.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Opens a map pinned at <paramref name="path"/> (bpf_obj_get). The instance owns the new fd:
    /// dispose it. Its <see cref="Name"/> is the kernel's, at most 15 characters.
    /// </summary>
    /// <exception cref="BpfException">Nothing is pinned there, or no permission.</exception>
    /// <exception cref="InvalidOperationException">What is pinned there is not a map.</exception>
    public static unsafe BpfMap OpenPinned(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int fd = Libbpf.bpf_obj_get(path);
        if (fd < 0)
            throw new BpfException("open pinned map", $"'{path}'", Marshal.GetLastPInvokeError());
        var handle = new SafeFdHandle(fd);
        try
        {
            // A pinned program or link opens just as well; bpf_map_info would then be garbage.
            string? kind = new FileInfo($"/proc/self/fd/{fd}").LinkTarget;
            if (kind != "anon_inode:bpf-map")
                throw new InvalidOperationException($"'{path}' is not a pinned map ({kind ?? "unknown"}).");
            var info = QueryInfo(fd, $"'{path}'");
            string name = NativeString.Read(info.Name);
            return new BpfMap(handle, name, (BpfMapType)info.Type, info.KeySize, info.ValueSize, info.MaxEntries, info.MapFlags, path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Before the object is loaded: where libbpf reuses the map from, or pins it (as
    /// <c>LIBBPF_PIN_BY_NAME</c> does under the pin root). A map pinned by name can so be
    /// built beside the one pinned under its name, which keeps serving until it is replaced.
    /// </summary>
    /// <exception cref="InvalidOperationException">Not an object's map, or already loaded.</exception>
    public void SetPinPath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (_object is null)
            throw new InvalidOperationException($"Map '{Name}' was opened from a pin; its pin path is fixed.");
        _object.ThrowIfNotOpened($"Setting the pin path of '{Name}'");
        var owner = FdLease.AddRef(_lifetime);
        try
        {
            int rc = Libbpf.bpf_map__set_pin_path(_map, path);
            if (rc < 0)
                throw new BpfException("set pin path", $"{Target} to '{path}'", -rc);
        }
        finally
        {
            owner.DangerousRelease();
        }
    }

    /// <summary>Pins the map at <paramref name="path"/> on bpffs; the map then outlives every fd.</summary>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rc;
        if (_object is not null)
        {
            using var lease = Lease();
            rc = Libbpf.bpf_map__pin(_map, path);
        }
        else
        {
            using var lease = Lease();
            rc = Libbpf.bpf_obj_pin(lease.Fd, path);
        }
        if (rc < 0)
            throw new BpfException("pin map", $"{Target} at '{path}'", -rc);
    }

    /// <summary>
    /// Pins the map at <paramref name="path"/>, replacing whatever is pinned there in one step
    /// (pin beside it, then rename over it): a reader of the path finds the old map or this one,
    /// never nothing. Leaves libbpf's own pin path alone; for pins a successor process reopens.
    /// </summary>
    public void PinReplacing(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        // bpffs refuses names with a dot (EPERM); a C map name never has a '-'.
        string aside = path + "-new";
        if (File.Exists(aside))
            File.Delete(aside);
        int rc;
        using (var lease = Lease())
            rc = Libbpf.bpf_obj_pin(lease.Fd, aside);
        if (rc < 0)
            throw new BpfException("pin map", $"{Target} at '{aside}'", -rc);
        File.Move(aside, path, overwrite: true); // rename(2) on bpffs
    }

    /// <summary>
    /// Removes the pin at <paramref name="path"/> (default: <see cref="PinPath"/>). The map lives
    /// on while any fd or program still uses it.
    /// </summary>
    public void Unpin(string? path = null)
    {
        path ??= PinPath ?? throw new InvalidOperationException($"Map '{Name}' is not pinned.");
        if (_object is not null)
        {
            int rc;
            using (Lease())
                rc = Libbpf.bpf_map__unpin(_map, path);
            if (rc < 0)
                throw new BpfException("unpin map", $"{Target} at '{path}'", -rc);
            return;
        }
        File.Delete(path);
        if (path == _pinnedFrom)
            _pinnedFrom = null;
    }
}
