using System.Text;

namespace Kmesh.Ctl.Tests;

/// <summary>
/// A TextWriter the CLI writes to on one thread while the test reads on another (the access-log
/// stream): every write and every read takes the same lock.
/// </summary>
internal sealed class CapturedWriter : TextWriter
{
    private readonly StringBuilder _text = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_text) _text.Append(value);
    }

    public override void Write(string? value)
    {
        lock (_text) _text.Append(value);
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_text) _text.Append(buffer, index, count);
    }

    public override string ToString()
    {
        lock (_text) return _text.ToString();
    }

    public string[] Lines() => ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
