namespace Kmesh.Xds;

/// <summary>
/// Where a file's new text differs from its last: the old text's chars
/// [<paramref name="Start"/>, <paramref name="OldEnd"/>) became the new text's
/// [<paramref name="Start"/>, <paramref name="NewEnd"/>); everything before is the same at the same
/// index, everything after the same shifted by <see cref="Shift"/>.
/// </summary>
public readonly record struct TextEdit(int Start, int OldEnd, int NewEnd)
{
    /// <summary>How far the text after the edit moved (new index − old index).</summary>
    public int Shift => NewEnd - OldEnd;

    /// <summary>True when the texts are the same.</summary>
    public bool None => OldEnd == Start && NewEnd == Start;
}
