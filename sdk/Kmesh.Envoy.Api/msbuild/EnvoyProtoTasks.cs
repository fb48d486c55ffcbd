// MSBuild inline tasks (RoslynCodeTaskFactory) used by EnvoyProtos.targets. This file is not
// part of the library: the project removes msbuild/** from Compile.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

/// <summary>
/// Computes the transitive import closure of some root .proto files over a set of include
/// folders, and either checks it against the declared Protobuf items or writes it as a .props.
/// </summary>
public class KmeshEnvoyProtoClosure : Task
{
    /// <summary>Root protos, as import paths (envoy/config/...). Metadata GrpcServices is kept.</summary>
    [Required] public ITaskItem[] Roots { get; set; }

    /// <summary>Include folders; metadata Name is the folder's name under the extraction dir.</summary>
    [Required] public ITaskItem[] ImportDirs { get; set; }

    /// <summary>Protobuf items currently declared (to check), as full paths.</summary>
    public ITaskItem[] Declared { get; set; }

    /// <summary>Extraction dir every declared item path starts with.</summary>
    [Required] public string ProtoDir { get; set; }

    /// <summary>When set, write the closure here as an MSBuild .props instead of checking.</summary>
    public string WritePropsTo { get; set; }

    /// <summary>The command that regenerates the list, quoted in messages.</summary>
    public string UpdateCommand { get; set; }

    static readonly Regex ImportLine = new Regex(
        "^\\s*import\\s+(?:public\\s+|weak\\s+)?\"([^\"]+)\"\\s*;", RegexOptions.Multiline);

    public override bool Execute()
    {
        // import path -> "<dir name>/<import path>", the key both the props and the check use.
        var found = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var services = new Dictionary<string, string>(StringComparer.Ordinal);
        var pending = new Stack<string>();
        foreach (var root in Roots)
        {
            pending.Push(root.ItemSpec);
            var s = root.GetMetadata("GrpcServices");
            services[root.ItemSpec] = string.IsNullOrEmpty(s) ? "None" : s;
        }

        while (pending.Count > 0)
        {
            var import = pending.Pop();
            // The well-known types ship compiled in Google.Protobuf; protoc finds them in Grpc.Tools.
            if (found.ContainsKey(import) || import.StartsWith("google/protobuf/", StringComparison.Ordinal))
                continue;
            var dir = ImportDirs.FirstOrDefault(d => File.Exists(Path.Combine(d.ItemSpec, import)));
            if (dir == null)
            {
                Log.LogError("Kmesh.Envoy.Api: '{0}' is imported but is in none of the extracted proto folders.", import);
                return false;
            }
            found[import] = dir.GetMetadata("Name") + "/" + import;
            foreach (Match m in ImportLine.Matches(File.ReadAllText(Path.Combine(dir.ItemSpec, import))))
                pending.Push(m.Groups[1].Value);
        }

        return string.IsNullOrEmpty(WritePropsTo) ? Check(found, services) : Write(found, services);
    }

    bool Check(SortedDictionary<string, string> found, Dictionary<string, string> services)
    {
        var prefix = Path.GetFullPath(ProtoDir);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in Declared ?? Array.Empty<ITaskItem>())
        {
            var full = Path.GetFullPath(item.ItemSpec);
            var rel = full.StartsWith(prefix, StringComparison.Ordinal) ? full.Substring(prefix.Length) : full;
            declared.Add(rel.Replace('\\', '/') + "|" + item.GetMetadata("GrpcServices"));
        }
        var wanted = new HashSet<string>(found.Select(kv =>
            kv.Value + "|" + (services.TryGetValue(kv.Key, out var s) ? s : "None")), StringComparer.Ordinal);

        var missing = wanted.Except(declared).OrderBy(x => x, StringComparer.Ordinal).ToList();
        var extra = declared.Except(wanted).OrderBy(x => x, StringComparer.Ordinal).ToList();
        if (missing.Count == 0 && extra.Count == 0)
            return true;
        Log.LogError(
            "Kmesh.Envoy.Api: EnvoyProtos.g.props is not the import closure of the EnvoyProtoRoot items. " +
            "Regenerate it with: {0}\n  missing: {1}\n  extra: {2}",
            UpdateCommand, string.Join(", ", missing), string.Join(", ", extra));
        return false;
    }

    bool Write(SortedDictionary<string, string> found, Dictionary<string, string> services)
    {
        var sb = new StringBuilder();
        sb.Append("<Project>\n");
        sb.Append("  <!-- Generated: the import closure of the EnvoyProtoRoot items in Kmesh.Envoy.Api.csproj.\n");
        sb.Append("       Do not edit; regenerate with: ").Append(UpdateCommand).Append("\n");
        sb.Append("       The build fails if this list and the closure ever differ. -->\n");
        sb.Append("  <ItemGroup>\n");
        foreach (var kv in found)
        {
            var dirName = kv.Value.Substring(0, kv.Value.IndexOf('/'));
            var grpc = services.TryGetValue(kv.Key, out var s) ? s : "None";
            sb.Append("    <Protobuf Include=\"$(EnvoyProtoDir)").Append(kv.Value)
              .Append("\" ProtoRoot=\"$(EnvoyProtoDir)").Append(dirName)
              .Append("\" GrpcServices=\"").Append(grpc).Append("\" />\n");
        }
        sb.Append("  </ItemGroup>\n</Project>\n");
        File.WriteAllText(WritePropsTo, sb.ToString());
        Log.LogMessage(MessageImportance.High, "Kmesh.Envoy.Api: wrote {0} protos to {1}", found.Count, WritePropsTo);
        return true;
    }
}

/// <summary>
/// Adds the <c>ignore_empty</c> rule fields the pinned envoy-api uses to the older validate.proto
/// shipped beside it. Field numbers are upstream protoc-gen-validate's.
/// </summary>
public class KmeshPatchValidateProto : Task
{
    /// <summary>The extracted validate/validate.proto, patched in place.</summary>
    [Required] public string File { get; set; }

    static readonly (string Message, int Number)[] Missing =
    {
        ("StringRules", 26), ("BytesRules", 14), ("RepeatedRules", 5), ("MapRules", 6),
    };

    public override bool Execute()
    {
        var text = System.IO.File.ReadAllText(File);
        foreach (var (message, number) in Missing)
        {
            if (Regex.IsMatch(text, "message " + message + " \\{(?:[^{}]|\\{[^{}]*\\})*\\bignore_empty\\b"))
                continue;
            // A message body holds at most one level of nested braces (a oneof), hence this pattern.
            var body = new Regex("(message " + message + " \\{(?:[^{}]|\\{[^{}]*\\})*)\\}");
            if (!body.IsMatch(text))
            {
                Log.LogError("Kmesh.Envoy.Api: cannot find message {0} in {1} to add ignore_empty.", message, File);
                return false;
            }
            text = body.Replace(text,
                m => m.Groups[1].Value + "    // Added by the Kmesh build (see EnvoyProtos.targets).\n" +
                     "    optional bool ignore_empty = " + number + ";\n}", 1);
        }
        System.IO.File.WriteAllText(File, text);
        return true;
    }
}
