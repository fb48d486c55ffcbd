using Envoy.Config.Core.V3;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// Header additions and removals of one direction, gathered from the route, its virtual host and
/// its route configuration in that order (Envoy's default: the least specific level applies last,
/// so it wins a conflicting overwrite). Values are literal: Envoy's %VARIABLE% formatters are not
/// expanded.
/// </summary>
internal sealed class HeaderEdits
{
    public static readonly HeaderEdits None = new([], []);

    private readonly (string Name, string Value, HeaderValueOption.Types.HeaderAppendAction Action)[] _add;
    private readonly string[] _remove;

    private HeaderEdits((string, string, HeaderValueOption.Types.HeaderAppendAction)[] add, string[] remove)
    {
        _add = add;
        _remove = remove;
    }

    public bool IsEmpty => _add.Length == 0 && _remove.Length == 0;

    public static HeaderEdits Of(params (IEnumerable<HeaderValueOption> Add, IEnumerable<string> Remove)[] levels)
    {
        var add = new List<(string, string, HeaderValueOption.Types.HeaderAppendAction)>();
        var remove = new List<string>();
        foreach (var (adds, removes) in levels)
        {
            remove.AddRange(removes);
            foreach (var option in adds)
                add.Add((option.Header.Key, option.Header.Value, ActionOf(option)));
        }
        return add.Count == 0 && remove.Count == 0 ? None : new HeaderEdits([.. add], [.. remove]);
    }

    /// <summary>Removes, then adds (Envoy removes first, so a header can be replaced by removing and adding it).</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        foreach (var name in _remove)
            headers.Remove(name);
        foreach (var (name, value, action) in _add)
            Apply(headers, name, value, action);
    }

    /// <summary>The same edits on an outgoing request message (the proxied copy of the request).</summary>
    public void ApplyTo(HttpRequestMessage request)
    {
        foreach (var name in _remove)
        {
            request.Headers.Remove(name);
            request.Content?.Headers.Remove(name);
        }
        foreach (var (name, value, action) in _add)
        {
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
