using System.Text;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// A header value to add, as Envoy's header formatter reads it: literal text with
/// <c>%COMMAND%</c>, <c>%COMMAND(ARGUMENT)%</c> or <c>%COMMAND(ARGUMENT):MAX_LENGTH%</c> in it and
/// <c>%%</c> for a percent sign. Parsed once when the route table is built, so a literal value (the
/// common case) costs nothing per request; a command the waypoint cannot evaluate is an
/// <see cref="UnsupportedRouteException"/> at build time, as Envoy rejects the config.
/// </summary>
internal sealed class HeaderValueFormat
{
    private readonly Part[] _parts;

    private HeaderValueFormat(string? literal, Part[] parts)
    {
        Literal = literal;
        _parts = parts;
    }

    /// <summary>The value when it has no command in it; null when it must be formatted per request.</summary>
    public string? Literal { get; }

    /// <param name="field">Where the value is, for the report: e.g. <c>request_headers_to_add[0].header.value</c>.</param>
    /// <param name="routeName">The route's <c>name</c>, what <c>%ROUTE_NAME%</c> gives.</param>
    public static HeaderValueFormat Parse(string text, string field, string routeName)
    {
        if (!text.Contains('%', StringComparison.Ordinal))
            return new HeaderValueFormat(text, []);
        var parts = new List<Part>();
        var literal = new StringBuilder();
        var at = 0;
        while (at < text.Length)
        {
            var percent = text.IndexOf('%', at);
            if (percent < 0)
            {
                literal.Append(text, at, text.Length - at);
                break;
            }
            literal.Append(text, at, percent - at);
            if (percent + 1 < text.Length && text[percent + 1] == '%')
            {
                literal.Append('%');
                at = percent + 2;
                continue;
            }
            var close = CommandEnd(text, percent + 1);
            if (close < 0)
                throw new UnsupportedRouteException(field, $"'%' at position {percent} starts a command that is never closed (write %% for a percent sign)");
            if (literal.Length > 0)
            {
                parts.Add(new Part(literal.ToString(), null, 0));
                literal.Clear();
            }
            parts.Add(Command(text.Substring(percent + 1, close - percent - 1), field, routeName));
            at = close + 1;
        }
        if (literal.Length > 0)
            parts.Add(new Part(literal.ToString(), null, 0));
        return parts.Count == 1 && parts[0].Literal is { } only
            ? new HeaderValueFormat(only, [])
            : new HeaderValueFormat(null, [.. parts]);
    }

    public string Format(in HeaderFormatInput input)
    {
        if (Literal is not null)
            return Literal;
        if (_parts.Length == 1)
            return _parts[0].Evaluate(input);
        var value = new StringBuilder();
        foreach (var part in _parts)
            value.Append(part.Evaluate(input));
        return value.ToString();
    }

    /// <summary>
    /// The '%' that closes the command starting at <paramref name="start"/>, or -1. An argument may
    /// hold '%' itself (<c>%START_TIME(%s)%</c>): it runs to the first ')' followed by '%' or ':'.
    /// </summary>
    private static int CommandEnd(string text, int start)
    {
        var at = start;
        while (at < text.Length && (char.IsAsciiLetterUpper(text[at]) || char.IsAsciiDigit(text[at]) || text[at] == '_'))
            at++;
        if (at < text.Length && text[at] == '(')
        {
            var close = at;
            do
                close = text.IndexOf(')', close + 1);
            while (close >= 0 && close + 1 < text.Length && text[close + 1] is not ('%' or ':'));
            if (close < 0)
                return -1;
            at = close + 1;
        }
        return text.IndexOf('%', at);
    }

    /// <summary>One command: <c>NAME</c>, <c>NAME(ARGUMENT)</c>, either followed by <c>:MAX_LENGTH</c>.</summary>
    private static Part Command(string command, string field, string routeName)
    {
        var open = command.IndexOf('(', StringComparison.Ordinal);
        var close = command.LastIndexOf(')');
        string name;
        string? argument = null;
        var rest = command;
        if (open >= 0)
        {
            if (close < open)
                throw new UnsupportedRouteException(field, $"%{command}%: '(' without ')'");
            name = command[..open];
            argument = command[(open + 1)..close];
            rest = command[(close + 1)..];
        }
        else
        {
            var colon = command.IndexOf(':', StringComparison.Ordinal);
            name = colon < 0 ? command : command[..colon];
            rest = colon < 0 ? "" : command[colon..];
        }
        var maxLength = 0;
        if (rest.Length > 0)
        {
            if (rest[0] != ':' || !int.TryParse(rest.AsSpan(1), out maxLength) || maxLength <= 0)
                throw new UnsupportedRouteException(field, $"%{command}%: what follows the command must be ':' and a positive maximum length");
        }
        var evaluate = HeaderCommands.Resolve(name, argument, routeName)
            ?? throw new UnsupportedRouteException(field, $"%{command}%: {HeaderCommands.WhyNot(name)}");
        return new Part(null, evaluate, maxLength);
    }

    private readonly record struct Part(string? Literal, HeaderCommand? Command, int MaxLength)
    {
        public string Evaluate(in HeaderFormatInput input)
        {
            if (Literal is not null)
                return Literal;
            var value = Command!(input) ?? "";
            return MaxLength > 0 && value.Length > MaxLength ? value[..MaxLength] : value;
        }
    }
}
