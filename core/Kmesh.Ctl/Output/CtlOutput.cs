using Spectre.Console;
using Spectre.Console.Json;
using Spectre.Console.Rendering;

namespace Kmesh.Ctl.Output;

/// <summary>
/// Where one invocation writes. Tables go through Spectre.Console so columns line up; when
/// stdout is not a terminal nothing gets colour or escape codes and lines are not wrapped at 80.
/// </summary>
internal sealed class CtlOutput(TextWriter stdout, TextWriter stderr, bool isTerminal)
{
    // Wide enough that a piped table (`| grep`, `| awk`) keeps one row per line.
    private const int PipedWidth = 400;

    private IAnsiConsole? _console;

    public TextWriter Out { get; } = stdout;
    public TextWriter Error { get; } = stderr;
    public bool IsTerminal { get; } = isTerminal;

    /// <summary>The format asked for with -o, else tables on a terminal and JSON in a pipe.</summary>
    public OutputFormat Resolve(string? requested) => requested switch
    {
        "table" => OutputFormat.Table,
        "json" => OutputFormat.Json,
        _ => IsTerminal ? OutputFormat.Table : OutputFormat.Json,
    };

    public void Write(IRenderable renderable) => Console.Write(renderable);

    public void WriteLine(string line) => Out.WriteLine(line);

    /// <summary>A JSON document as received, indented; coloured on a terminal.</summary>
    public void WriteJson(string json)
    {
        var pretty = PrettyJson.Indent(json);
        if (IsTerminal)
            Console.Write(new JsonText(pretty));
        else
            Out.WriteLine(pretty);
    }

    private IAnsiConsole Console => _console ??= CreateConsole();

    private IAnsiConsole CreateConsole()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = IsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = IsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Out),
        });
        if (!IsTerminal)
            console.Profile.Width = PipedWidth;
        return console;
    }
}
