using System.Runtime.InteropServices;
using System.Text;

namespace Kmesh.Xds;

/// <summary>
/// The file events of one directory, straight from inotify. It exists because .NET's
/// FileSystemWatcher reports a file moved in from another directory as <c>Created</c>, the same
/// event as an empty file just opened for writing: the one is complete (a rename is atomic, the
/// way config tools and control planes replace a file), the other half-written. Here a move into
/// the directory is its own kind, so watchers can read it at once and debounce the rest.
/// </summary>
internal sealed partial class DirectoryEvents : IDisposable
{
    // inotify(7)
    private const uint InModify = 0x002, InCloseWrite = 0x008, InMovedFrom = 0x040, InMovedTo = 0x080;
    private const uint InCreate = 0x100, InDelete = 0x200, InDeleteSelf = 0x400, InMoveSelf = 0x800;
    private const uint InQueueOverflow = 0x4000, InIgnored = 0x8000, InOnlyDir = 0x1000000;
    private const int InCloExec = 0x80000;
    private const int EventHeader = 16; // wd, mask, cookie, len

    private readonly Action<string?, bool> _onEvent;
    private readonly Lock _gate = new();
    private int _fd;
    private readonly int _watch;
    private bool _disposed;

    /// <summary>
    /// Starts watching <paramref name="directory"/>. <paramref name="onEvent"/> gets a file's name
    /// and whether the file is complete (moved into the directory, from there or elsewhere), or a
    /// null name when events were lost (the kernel's queue overflowed, or the directory itself went
    /// away): the watcher should then look at everything. It is called on one dedicated thread.
    /// </summary>
    /// <exception cref="IOException">inotify is not available here (not Linux, or out of instances or watches).</exception>
    public DirectoryEvents(string directory, Action<string?, bool> onEvent)
    {
        if (!OperatingSystem.IsLinux())
            throw new IOException("inotify is Linux's");
        _onEvent = onEvent;
        _fd = InotifyInit1(InCloExec);
        if (_fd < 0)
            throw new IOException($"inotify_init1: {Marshal.GetLastPInvokeErrorMessage()}");
        _watch = InotifyAddWatch(_fd, directory,
            InModify | InCloseWrite | InMovedFrom | InMovedTo | InCreate | InDelete | InDeleteSelf | InMoveSelf | InOnlyDir);
        if (_watch < 0)
        {
            var error = Marshal.GetLastPInvokeErrorMessage();
            Close(_fd);
            throw new IOException($"inotify_add_watch {directory}: {error}");
        }
        new Thread(ReadLoop) { IsBackground = true, Name = "inotify " + Path.GetFileName(directory) }.Start();
    }

    /// <summary>Stops the events; one already being delivered may still finish.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
                return;
            _disposed = true;
            // Removing the watch queues IN_IGNORED, which wakes the blocked read; that thread closes the fd.
            if (_fd >= 0)
                InotifyRmWatch(_fd, _watch);
        }
    }

    private unsafe void ReadLoop()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                nint read;
                fixed (byte* p = buffer)
                    read = Read(_fd, p, buffer.Length);
                if (read < 0)
                {
                    if (Marshal.GetLastPInvokeError() == 4) // EINTR
                        continue;
                    Deliver(null, false);
                    return;
                }
                for (var at = 0; at + EventHeader <= read;)
                {
                    var mask = BitConverter.ToUInt32(buffer, at + 4);
                    var length = BitConverter.ToInt32(buffer, at + 12);
                    var name = NameOf(buffer.AsSpan(at + EventHeader, length));
                    at += EventHeader + length;
                    if ((mask & InIgnored) != 0 || (mask & (InDeleteSelf | InMoveSelf)) != 0)
                    {
                        // The watch is gone (disposed, or the directory was removed or moved): nothing more will come.
                        if (!Disposed)
                            Deliver(null, false);
                        return;
                    }
                    if ((mask & InQueueOverflow) != 0)
                        Deliver(null, false);
                    else if (name is not null)
                        Deliver(name, (mask & InMovedTo) != 0);
                }
            }
        }
        finally
        {
            lock (_gate)
            {
                Close(_fd);
                _fd = -1;
            }
        }
    }

    private bool Disposed
    {
        get
        {
            lock (_gate)
                return _disposed;
        }
    }

    private void Deliver(string? name, bool complete)
    {
        if (!Disposed)
            _onEvent(name, complete);
    }

    /// <summary>The event's name: NUL-padded to an alignment, empty for events on the directory itself.</summary>
    private static string? NameOf(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        var bytes = end < 0 ? field : field[..end];
        return bytes.IsEmpty ? null : Encoding.UTF8.GetString(bytes);
    }

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    private static partial int InotifyRmWatch(int fd, int watch);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
