namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// Waits for kernel state that settles asynchronously. Example: a link is detached when the last
/// reference to its file goes, and a child process that another (parallel) test forked holds a
/// copy of every fd until it execs - so right after Dispose the program may still be attached.
/// </summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="probe"/> until it returns an empty array (or 5 s pass) and returns the last result.</summary>
    public static T[] Empty<T>(Func<T[]> probe)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        T[] result = probe();
        while (result.Length != 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
            result = probe();
        }
        return result;
    }
}
