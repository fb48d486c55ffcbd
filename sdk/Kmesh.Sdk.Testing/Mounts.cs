namespace Kmesh.Sdk.Testing;

/// <summary>Reads /proc/self/mountinfo: which file systems are mounted where.</summary>
internal static class Mounts
{
    /// <summary>(mount point, file-system type) pairs, in mount order.</summary>
    public static IReadOnlyList<(string MountPoint, string FsType)> Read()
    {
        var mounts = new List<(string, string)>();
        if (!File.Exists("/proc/self/mountinfo"))
        {
            return mounts;
        }
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            // "36 35 98:0 /root /mnt/point rw,noatime shared:1 - ext3 /dev/sda1 rw": the optional
            // fields end at " - ", after which comes the file-system type.
            var fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length < 5 || dash < 0 || dash + 1 >= fields.Length)
            {
                continue;
            }
            mounts.Add((Unescape(fields[4]), fields[dash + 1]));
        }
        return mounts;
    }

    public static bool IsMounted(string mountPoint, string fsType) =>
        Read().Any(m => m.MountPoint == mountPoint && m.FsType == fsType);

    // mountinfo escapes space, tab, newline and backslash as octal (\040 ...).
    private static string Unescape(string field) =>
        field.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\");
}
