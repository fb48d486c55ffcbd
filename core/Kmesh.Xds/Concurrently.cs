using System.Runtime.ExceptionServices;

namespace Kmesh.Xds;

/// <summary>
/// Runs the bodies of a loop over a large response on every CPU; a small one (every change after
/// the start) stays in order on the calling thread, where handing out work would cost more than it saves.
/// </summary>
internal static class Concurrently
{
    /// <summary>Items from which the loop is shared out: a full fetch at scale, not a change.</summary>
    public const int From = 512;

    /// <summary>Calls <paramref name="body"/> for 0 … <paramref name="count"/> − 1; bodies must touch nothing shared but their own index's result.</summary>
    public static void For(int count, Action<int> body)
    {
        if (count < From || Environment.ProcessorCount == 1)
        {
            for (var i = 0; i < count; i++)
                body(i);
            return;
        }
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The caller sees what a sequential loop would have thrown.
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
