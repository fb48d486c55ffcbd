namespace Kmesh.Core.Reconcile;

/// <summary>A step stopped part-way: the first <see cref="Done"/> operations took effect.</summary>
public sealed class MapApplyException(int done, Exception inner) : Exception(inner.Message, inner)
{
    /// <summary>How many operations of the step, in order, are in the kernel.</summary>
    public int Done { get; } = done;
}
