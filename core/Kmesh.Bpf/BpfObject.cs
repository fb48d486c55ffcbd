using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// A compiled eBPF object file (<c>*.bpf.o</c>) opened with libbpf. Between <see cref="Open"/>
/// and <see cref="Load"/> its programs, maps and <c>const volatile</c> globals can be inspected
/// and adjusted; after Load the programs can be attached and the maps used. Disposing closes
/// every program and map fd of the object (pins and links stay). Not thread-safe before Load.
/// </summary>
public sealed partial class BpfObject : IDisposable
{
    private readonly SafeBpfObjectHandle _handle;
    private readonly BpfObjectOptions _options;
    private readonly BpfProgram[] _programs;
    private readonly BpfMap[] _maps;
    private volatile LoadState _state;

    private enum LoadState { Opened, Loaded, Failed }

    private unsafe BpfObject(SafeBpfObjectHandle handle, string path, BpfObjectOptions options)
    {
        _handle = handle;
        _options = options;
        FilePath = path;
        nint obj = handle.DangerousGetHandle();
        Name = NativeString.Read(Libbpf.bpf_object__name(obj));

        var programs = new List<BpfProgram>();
        for (nint p = Libbpf.bpf_object__next_program(obj, 0); p != 0; p = Libbpf.bpf_object__next_program(obj, p))
            programs.Add(new BpfProgram(this, p));
        _programs = [.. programs];

        var maps = new List<BpfMap>();
        for (nint m = Libbpf.bpf_object__next_map(obj, 0); m != 0; m = Libbpf.bpf_object__next_map(obj, m))
            maps.Add(new BpfMap(this, m));
        _maps = [.. maps];
    }

    /// <summary>The object's name (libbpf's: the file name without extension, or the override).</summary>
    public string Name { get; }

    /// <summary>The full path of the object file.</summary>
    public string FilePath { get; }

    /// <summary>True once <see cref="Load"/> succeeded.</summary>
    public bool IsLoaded => _state == LoadState.Loaded;

    /// <summary>The object's programs, in ELF order.</summary>
    public IReadOnlyList<BpfProgram> Programs => _programs;

    /// <summary>The object's maps, including internal ones such as <c>.rodata</c>.</summary>
    public IReadOnlyList<BpfMap> Maps => _maps;

    internal SafeBpfObjectHandle Handle => _handle;

    /// <summary>Opens (parses, does not load) an object file.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DirectoryNotFoundException">The pin root does not exist.</exception>
    /// <exception cref="BpfException">libbpf could not parse the object.</exception>
    public static unsafe BpfObject Open(string objectPath, BpfObjectOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(objectPath);
        options ??= new BpfObjectOptions();
        string path = Path.GetFullPath(objectPath);
        if (!File.Exists(path))
            throw new FileNotFoundException($"eBPF object file '{path}' does not exist.", path);
        if (options.PinRoot is { } root && !Directory.Exists(root))
            throw new DirectoryNotFoundException($"Pin root '{root}' does not exist; create it on bpffs first (PinFolder.Create).");

        using var scope = LibbpfPrint.Enter(options.Logger);
        byte* name = NativeString.Alloc(options.ObjectName);
        byte* pinRoot = NativeString.Alloc(options.PinRoot);
        nint obj;
        int errno;
        try
        {
            var opts = new BpfObjectOpenOpts { Sz = (nuint)sizeof(BpfObjectOpenOpts), ObjectName = name, PinRootPath = pinRoot };
            obj = Libbpf.bpf_object__open_file(path, &opts);
            errno = Marshal.GetLastPInvokeError();
        }
        finally
        {
            NativeString.Free(name);
            NativeString.Free(pinRoot);
        }
        if (obj == 0)
            throw new BpfException("open", $"object file '{path}'", errno, JoinWarnings(scope.Warnings));
        return new BpfObject(new SafeBpfObjectHandle(obj), path, options);
    }

    /// <summary>The program named <paramref name="name"/> (its C function name).</summary>
    /// <exception cref="KeyNotFoundException">No such program.</exception>
    public BpfProgram Program(string name) => TryGetProgram(name, out var p) ? p
        : throw new KeyNotFoundException($"Object '{Name}' has no program '{name}'; it has: {string.Join(", ", _programs.Select(x => x.Name))}.");

    /// <summary>The map named <paramref name="name"/> (as libbpf names it).</summary>
    /// <exception cref="KeyNotFoundException">No such map.</exception>
    public BpfMap Map(string name) => TryGetMap(name, out var m) ? m
        : throw new KeyNotFoundException($"Object '{Name}' has no map '{name}'; it has: {string.Join(", ", _maps.Select(x => x.Name))}.");

    /// <summary>Finds a program by name.</summary>
    public bool TryGetProgram(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BpfProgram? program)
    {
        program = Array.Find(_programs, p => p.Name == name);
        return program is not null;
    }

    /// <summary>Finds a map by name.</summary>
    /// <remarks>Internal maps can also be found by their section name (".rodata"), as libbpf allows.</remarks>
    public bool TryGetMap(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BpfMap? map)
    {
        map = Array.Find(_maps, m => m.Name == name);
        if (map is null && name.StartsWith('.'))
        {
            var owner = FdLease.AddRef(_handle);
            try
            {
                nint found = Libbpf.bpf_object__find_map_by_name(_handle.DangerousGetHandle(), name);
                map = found == 0 ? null : Array.Find(_maps, m => m.Pointer == found);
            }
            finally
            {
                owner.DangerousRelease();
            }
        }
        return map is not null;
    }

    /// <summary>Closes the object: its program and map fds go away (pinned maps and links stay).</summary>
    public void Dispose() => _handle.Dispose();

    internal void ThrowIfNotLoaded(string what)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_state != LoadState.Loaded)
            throw new InvalidOperationException($"{what} of object '{Name}' needs a loaded object; call Load() first.");
    }

    internal void ThrowIfNotOpened(string what)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (_state != LoadState.Opened)
            throw new InvalidOperationException($"{what} of object '{Name}' is only possible before Load().");
    }

    private static string? JoinWarnings(List<string> warnings)
        => warnings.Count == 0 ? null : "libbpf: " + string.Join(" | ", warnings.TakeLast(6));
}
