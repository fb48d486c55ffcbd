using Envoy.Config.Core.V3;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Header additions and removals of one direction, gathered from the route, its virtual host and
/// its route configuration in that order (Envoy's default: the least specific level applies last,
/// so it wins a conflicting overwrite). Values may hold Envoy's <c>%COMMAND%</c>s
/// (<see cref="HeaderValueFormat"/>); a value that comes out empty is not added unless its
/// <c>keep_empty_value</c> says so, as in Envoy.
/// </summary>
internal sealed class HeaderEdits
{
    public static readonly HeaderEdits None = new([], []);

    private readonly Addition[] _add;
    private readonly string[] _remove;

    private HeaderEdits(Addition[] add, string[] remove)
    {
        _add = add;
        _remove = remove;
    }

    public bool IsEmpty => _add.Length == 0 && _remove.Length == 0;

    /// <summary>One level's edits and where its additions are, for a report of a value the waypoint cannot format.</summary>
    public readonly record struct Level(IEnumerable<HeaderValueOption> Add, IEnumerable<string> Remove, string AddField);

    /// <param name="routeName">The route's <c>name</c>, for <c>%ROUTE_NAME%</c>.</param>
    /// <exception cref="UnsupportedRouteException">A value has a command the waypoint cannot evaluate.</exception>
    public static HeaderEdits Of(string routeName, params Level[] levels)
    {
        var add = new List<Addition>();
        var remove = new List<string>();
        foreach (var level in levels)
        {
            remove.AddRange(level.Remove);
            var i = 0;
            foreach (var option in level.Add)
            {
                var value = HeaderValueFormat.Parse(option.Header.Value, $"{level.AddField}[{i++}].header.value", routeName);
                add.Add(new Addition(option.Header.Key, value, ActionOf(option), option.KeepEmptyValue));
            }
        }
        return add.Count == 0 && remove.Count == 0 ? None : new HeaderEdits([.. add], [.. remove]);
    }

    /// <summary>Removes, then adds (Envoy removes first, so a header can be replaced by removing and adding it).</summary>
    public void ApplyTo(IHeaderDictionary headers, in HeaderFormatInput input)
    {
        foreach (var name in _remove)
            headers.Remove(name);
        foreach (var addition in _add)
        {
            if (addition.ValueFor(input) is { } value)
                Apply(headers, addition.Name, value, addition.Action);
        }
    }

    /// <summary>The same edits on an outgoing request message (the proxied copy of the request).</summary>
    public void ApplyTo(HttpRequestMessage request, in HeaderFormatInput input)
    {
        foreach (var name in _remove)
        {
            request.Headers.Remove(name);
            request.Content?.Headers.Remove(name);
        }
        foreach (var addition in _add)
        {
            if (addition.ValueFor(input) is not { } value)
                continue;
            var (name, action) = (addition.Name, addition.Action);
            var exists = request.Headers.Contains(name);
            if (action == HeaderValueOption.Types.HeaderAppendAction.AddIfAbsent && exists)
                continue;
            if (action == HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExists && !exists)
                continue;
            if (action is HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd or HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExists)
                request.Headers.Remove(name);
            request.Headers.TryAddWithoutValidation(name, value);
        }
    }

    private static void Apply(IHeaderDictionary headers, string name, string value, HeaderValueOption.Types.HeaderAppendAction action)
    {
        var exists = headers.ContainsKey(name);
        switch (action)
        {
            case HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd:
                headers[name] = exists ? StringValues.Concat(headers[name], value) : new StringValues(value);
                break;
            case HeaderValueOption.Types.HeaderAppendAction.AddIfAbsent:
                if (!exists)
                    headers[name] = value;
                break;
            case HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExists:
                if (exists)
                    headers[name] = value;
                break;
            default:
                headers[name] = value;
                break;
        }
    }

    private readonly record struct Addition(string Name, HeaderValueFormat Value, HeaderValueOption.Types.HeaderAppendAction Action, bool KeepEmpty)
    {
        /// <summary>The value to add, or null when it is empty and must not be added.</summary>
        public string? ValueFor(in HeaderFormatInput input)
        {
            var value = Value.Format(input);
            return value.Length > 0 || KeepEmpty ? value : null;
        }
    }

    /// <summary>The deprecated <c>append</c> flag wins when set, as in Envoy; otherwise <c>append_action</c>.</summary>
#pragma warning disable CS0612 // append is deprecated but still honoured by Envoy
    private static HeaderValueOption.Types.HeaderAppendAction ActionOf(HeaderValueOption option) => option.Append switch
    {
        true => HeaderValueOption.Types.HeaderAppendAction.AppendIfExistsOrAdd,
        false => HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd,
        null => option.AppendAction,
    };
#pragma warning restore CS0612
}
