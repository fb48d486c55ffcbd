using Spectre.Console;
using Spectre.Console.Rendering;

namespace Kmesh.Ctl.Output;

/// <summary>The one table style of kmesh ctl: kubectl's plain columns, easy to read and to grep.</summary>
internal static class Tables
{
    public static Table Create(params string[] headers)
    {
        var table = new Table { Border = TableBorder.None, ShowHeaders = true };
        foreach (var header in headers)
            table.AddColumn(new TableColumn(new Text(header)).PadRight(3).PadLeft(0));
        return table;
    }

    /// <summary>Adds a row of plain text: cell content is data, never Spectre markup.</summary>
    public static void AddTextRow(this Table table, params string?[] cells) =>
        table.AddRow(cells.Select(cell => (IRenderable)new Text(cell ?? "")).ToArray());
}
