using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// A Kmesh core with a chosen plugin set, governing a <see cref="KernelSandbox"/>: the real
/// <c>kmesh run</c> daemon attached to the sandbox's cgroup, pinning under its bpffs folder,
/// reading a config file of its own. The Kmesh.Sdk.Testing package ships the daemon (in
/// <c>kmesh/</c> next to the test assembly) and Kmesh's own plugins routing and loadbalance
/// (in <c>kmesh-plugins/</c>), so a plugin author tests a plugin with real connects in a few lines.
/// </summary>
/// <example>
/// <code>
/// await using var sandbox = await KernelSandbox.CreateAsync();
/// await sandbox.StartBackendsAsync(new BackendSpec("b1", "127.0.0.2", 8080));
/// await using var core = await KmeshCore.StartAsync(sandbox, configYaml,
///     pluginDirs: [AppContext.BaseDirectory], plugins: ["my-plugin", "routing", "loadbalance"]);
/// await using var client = await sandbox.ClientAsync();
/// var result = await client.DialAsync("127.0.0.2", 9);
/// </code>
/// </example>
public sealed class KmeshCore : IAsyncDisposable
{
    /// <summary>The folder, next to the test assembly, that holds the shipped daemon.</summary>
    public const string DaemonFolderName = "kmesh";

    /// <summary>The folder, next to the test assembly, that holds the shipped plugins (routing, loadbalance).</summary>
    public const string PluginsFolderName = "kmesh-plugins";

    private KmeshCore(KernelSandbox sandbox, string configPath, DaemonProcess daemon)
    {
        Sandbox = sandbox;
        ConfigPath = configPath;
        Daemon = daemon;
    }

    /// <summary>The sandbox this core governs.</summary>
    public KernelSandbox Sandbox { get; }

    /// <summary>The daemon's config file; rewrite it (write aside, rename over) to change the mesh live.</summary>
    public string ConfigPath { get; }

    /// <summary>The running daemon, with its log.</summary>
    public DaemonProcess Daemon { get; }

    /// <summary>The shipped daemon: <c>kmesh/kmesh.dll</c> next to the test assembly.</summary>
    public static string DefaultDaemonDll => Path.Combine(AppContext.BaseDirectory, DaemonFolderName, "kmesh.dll");

    /// <summary>The shipped plugins (routing, loadbalance): <c>kmesh-plugins/</c> next to the test assembly.</summary>
    public static string BundledPluginsDir => Path.Combine(AppContext.BaseDirectory, PluginsFolderName);

    /// <summary>
    /// Writes <paramref name="configYaml"/> (Envoy v3 resources, as <c>kmesh run --config</c> reads
    /// them) to a file, starts the daemon on the sandbox and waits until it says <c>ready</c>.
    /// </summary>
    /// <param name="sandbox">The sandbox to govern (its cgroup and pin folder).</param>
    /// <param name="configYaml">The mesh configuration.</param>
    /// <param name="pluginDirs">Plugin folders to search (e.g. <see cref="AppContext.BaseDirectory"/>, where a
    /// referenced plugin project's assembly, .bpf.o and manifest land); <see cref="BundledPluginsDir"/> is always added.</param>
    /// <param name="plugins">The chain, in order (<c>--plugins</c>); null or empty: every plugin found, in manifest order.</param>
    /// <param name="extraArguments">More <c>kmesh run</c> flags, e.g. <c>--fail-closed</c>.</param>
    /// <param name="daemonDll">Another daemon than <see cref="DefaultDaemonDll"/>.</param>
    /// <param name="readyTimeout">How long to wait for <c>ready</c> (default 60 s).</param>
    public static async Task<KmeshCore> StartAsync(
        KernelSandbox sandbox,
        string configYaml,
        IEnumerable<string>? pluginDirs = null,
        IEnumerable<string>? plugins = null,
        IEnumerable<string>? extraArguments = null,
        string? daemonDll = null,
        TimeSpan? readyTimeout = null)
    {
        ArgumentNullException.ThrowIfNull(sandbox);
        ArgumentNullException.ThrowIfNull(configYaml);
        var configPath = Path.Combine(Path.GetTempPath(), $"{sandbox.NetnsName}-kmesh.yaml");
        await File.WriteAllTextAsync(configPath, configYaml).ConfigureAwait(false);
        var arguments = new List<string>
        {
            "--config", configPath,
            "--cgroup", sandbox.CgroupPath,
            "--bpffs", sandbox.PinPath,
        };
        foreach (var dir in (pluginDirs ?? []).Append(BundledPluginsDir).Distinct())
        {
            if (Directory.Exists(dir))
                arguments.AddRange(["--plugin-dir", dir]);
        }
        var chain = (plugins ?? []).ToList();
        if (chain.Count > 0)
            arguments.AddRange(["--plugins", string.Join(',', chain)]);
        arguments.AddRange(extraArguments ?? []);

        DaemonProcess? daemon = null;
        try
        {
            daemon = DaemonProcess.Start(daemonDll ?? DefaultDaemonDll, arguments);
            await daemon.WaitReadyAsync(readyTimeout).ConfigureAwait(false);
            return new KmeshCore(sandbox, configPath, daemon);
        }
        catch
        {
            if (daemon is not null)
                await daemon.DisposeAsync().ConfigureAwait(false);
            File.Delete(configPath);
            throw;
        }
    }

    /// <summary>Replaces the config file the way editors do (write aside, rename over); the daemon applies it live.</summary>
    public async Task RewriteConfigAsync(string configYaml)
    {
        var aside = ConfigPath + ".tmp";
        await File.WriteAllTextAsync(aside, configYaml).ConfigureAwait(false);
        File.Move(aside, ConfigPath, overwrite: true);
    }

    /// <summary>
    /// The entries of a map a plugin pinned by name (<c>LIBBPF_PIN_BY_NAME</c>) under the sandbox's
    /// pin folder, as key and value bytes (per-CPU maps: the values of all CPUs summed as
    /// little-endian u64 when 8 bytes wide, else CPU 0's). Uses <c>bpftool</c>.
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ReadPinnedMapAsync(string mapName)
    {
        var path = Path.Combine(Sandbox.PinPath, mapName);
        ShellResult result;
        try
        {
            result = await Shell.RunAsync("bpftool", ["-j", "map", "dump", "pinned", path], TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("bpftool is needed to read pinned maps: apt-get install bpftool", e);
        }
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"bpftool map dump pinned {path} failed ({result.ExitCode}): {result.Stderr}{result.Stdout}");
        using var json = JsonDocument.Parse(result.Stdout);
        var entries = new List<KeyValuePair<byte[], byte[]>>();
        foreach (var entry in json.RootElement.EnumerateArray())
        {
            var key = Bytes(entry.GetProperty("key"));
            if (entry.TryGetProperty("value", out var value))
            {
                entries.Add(new(key, Bytes(value)));
            }
            else if (entry.TryGetProperty("values", out var perCpu))
            {
                byte[]? first = null;
                ulong sum = 0;
                foreach (var cpu in perCpu.EnumerateArray())
                {
                    var bytes = Bytes(cpu.GetProperty("value"));
                    first ??= bytes;
                    if (bytes.Length == 8)
                        sum += BinaryPrimitives.ReadUInt64LittleEndian(bytes);
                }
                if (first is { Length: 8 })
                    BinaryPrimitives.WriteUInt64LittleEndian(first, sum);
                entries.Add(new(key, first ?? []));
            }
        }
        return entries;
    }

    /// <summary>The sum of all values of a pinned counter map whose values are u64 (see <see cref="ReadPinnedMapAsync"/>).</summary>
    public async Task<ulong> ReadCounterAsync(string mapName)
    {
        ulong sum = 0;
        foreach (var entry in await ReadPinnedMapAsync(mapName).ConfigureAwait(false))
        {
            if (entry.Value.Length != 8)
                throw new InvalidOperationException($"map {mapName} has {entry.Value.Length}-byte values, not u64 counters");
            sum += BinaryPrimitives.ReadUInt64LittleEndian(entry.Value);
        }
        return sum;
    }

    private static byte[] Bytes(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array
            ? element.EnumerateArray().Select(b => byte.Parse(b.GetString()!.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray()
            : throw new InvalidOperationException($"unexpected bpftool output: {element}");

    /// <summary>Stops the daemon (SIGTERM; it detaches and removes its pins) and deletes the config file. The sandbox stays yours.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await Daemon.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            File.Delete(ConfigPath);
        }
    }
}
