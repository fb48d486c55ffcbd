using Kmesh.Core.Hosting;
using Kmesh.Xds;

namespace Kmesh.Daemon;

/// <summary>
/// Checks what <c>kmesh run</c> was pointed at before the daemon starts: the config file, the
/// cgroup, the pin folder, the plugin set and the xDS credentials. A mistake there is one line
/// saying what to do and exit status 2, and nothing is attached or pinned; without this check
/// each would fail later, deep in the attach or the pinning, with a stack trace.
/// </summary>
internal static class RunPreflight
{
    /// <summary>Bpffs is mounted here on every distribution kmesh supports.</summary>
    private const string BpffsRoot = "/sys/fs/bpf";

    /// <summary>The first problem found, as one line for the user; null when the options can be tried.</summary>
    public static string? Check(DaemonOptions options) =>
        ConfigProblem(options.ConfigPath)
        ?? CgroupV2.Problem(options.CgroupPath)
        ?? PinFolderProblem(options.PinFolder)
        ?? FileProblem("--plugin-set", options.PluginSetPath)
        ?? FileProblem("--xds-ca", options.Xds?.CaFile)
        ?? FileProblem("--xds-token", options.Xds?.TokenFile);

    private static string? ConfigProblem(string? path)
    {
        if (path is null)
            return null;
        if (Directory.Exists(path))
            return $"--config {path}: is a directory; --config takes one file (to serve a directory of files, run kmesh xds serve --dir {path} and pass --xds)";
        if (FileProblem("--config", path) is { } problem)
            return problem;
        var length = new FileInfo(path).Length;
        return length > ParseLimits.MaxDocumentBytes
            ? $"--config {path}: the file is {ParseLimits.Size(length)}, over the limit of {ParseLimits.Size(ParseLimits.MaxDocumentBytes)} for a config file (docs/limits.md)"
            : null;
    }

    private static string? PinFolderProblem(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
            return $"--bpffs {path}: is a file; pass a folder under {BpffsRoot} (it is created if missing)";
        // The folder itself may not exist yet (the daemon creates it): judge where it would be made.
        var existing = full;
        while (!Directory.Exists(existing))
            existing = Path.GetDirectoryName(existing) ?? "/";
        return FileSystemKind.Of(existing) switch
        {
            FileSystemKind.Bpf => null,
            { } other => $"--bpffs {path}: is not on a bpf file system ({existing} is {FileSystemKind.Name(other)}); pass a folder under {BpffsRoot}" +
                         (IsBpffs(BpffsRoot) ? "" : $" after mounting it (mount -t bpf bpf {BpffsRoot})"),
            null => $"--bpffs {path}: {existing} cannot be examined (statfs failed); pass a folder under {BpffsRoot}",
        };
    }

    private static bool IsBpffs(string path) => Directory.Exists(path) && FileSystemKind.Of(path) == FileSystemKind.Bpf;

    private static string? FileProblem(string flag, string? path)
    {
        if (path is null)
            return null;
        if (Directory.Exists(path))
            return $"{flag} {path}: is a directory; {flag} takes a file";
        return File.Exists(path) ? null : $"{flag} {path}: no such file";
    }
}
