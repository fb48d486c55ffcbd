using Envoy.Config.Core.V3;
using Microsoft.AspNetCore.Http;
using AppendAction = Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>Envoy's <c>HeaderValueOption</c> applied to a header map: its append action, or the deprecated <c>append</c> flag when set.</summary>
internal static class HeaderOptions
{
    public static void Apply(IHeaderDictionary headers, HeaderValueOption[] options)
    {
        foreach (var option in options)
        {
            if (option.Header is not { Key.Length: > 0 } header)
                continue;
            if (header.Value.Length == 0 && !option.KeepEmptyValue)
                continue;
#pragma warning disable CS0612 // the deprecated flag is still what many configs use
            var action = option.Append switch
            {
                true => AppendAction.AppendIfExistsOrAdd,
                false => AppendAction.OverwriteIfExistsOrAdd,
                null => option.AppendAction,
            };
#pragma warning restore CS0612
            var present = headers.ContainsKey(header.Key);
            switch (action)
            {
                case AppendAction.AppendIfExistsOrAdd:
                    headers.Append(header.Key, header.Value);
                    break;
                case AppendAction.AddIfAbsent when !present:
                case AppendAction.OverwriteIfExistsOrAdd:
                case AppendAction.OverwriteIfExists when present:
                    headers[header.Key] = header.Value;
                    break;
            }
        }
    }
}
