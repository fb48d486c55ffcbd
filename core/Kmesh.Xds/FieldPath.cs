using System.Text.RegularExpressions;

namespace Kmesh.Xds;

/// <summary>Builds the dotted field paths errors show, with field names as the file spells them.</summary>
internal static partial class FieldPath
{
    public static string Field(string parent, string name) => parent.Length == 0 ? name : parent + "." + name;

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    public static string MapKey(string parent, string key) =>
        Identifier().IsMatch(key) ? Field(parent, key) : $"{parent}[\"{key}\"]";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
