using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>Loading: per-program verifier log buffers and the translation of failures.</summary>
public sealed partial class BpfObject
{
    /// <summary>
    /// Creates the maps (reusing or pinning the <c>LIBBPF_PIN_BY_NAME</c> ones), loads every
    /// autoload program into the kernel and freezes <c>.rodata</c>. Can be called once: after a
    /// failure libbpf considers the object spent, so dispose it and open again.
    /// </summary>
    /// <exception cref="BpfLoadException">The verifier rejected a program, or a map could not be made.</exception>
    public unsafe void Load()
    {
        ThrowIfNotOpened("Load");
        int size = Math.Max(_options.VerifierLogSize, 4096);
        var logs = new byte*[_programs.Length];
        bool added = false;
        _handle.DangerousAddRef(ref added);
        try
        {
            for (int i = 0; i < _programs.Length; i++)
            {
                nint prog = _programs[i].Pointer;
                if (Libbpf.bpf_program__autoload(prog) == 0)
                    continue;
                // One buffer per program, so the rejected program's log is not overwritten by
                // the next attempt (libbpf's object-wide buffer would be).
                logs[i] = (byte*)NativeMemory.AllocZeroed((nuint)size);
                Libbpf.bpf_program__set_log_buf(prog, logs[i], (nuint)size);
                if (_options.VerifierLogLevel != 0)
                    Libbpf.bpf_program__set_log_level(prog, _options.VerifierLogLevel);
            }

            using var scope = LibbpfPrint.Enter(_options.Logger);
            int rc = Libbpf.bpf_object__load(_handle.DangerousGetHandle());
            if (rc < 0)
            {
                _state = LoadState.Failed;
                throw CreateLoadException(-rc, logs, size, scope.Warnings);
            }
            _state = LoadState.Loaded;
            foreach (var map in _maps)
                map.OnObjectLoaded();
        }
        finally
        {
            // libbpf reads the buffers only while loading, so they can go right away.
            foreach (byte* log in logs)
                NativeMemory.Free(log);
            if (added)
                _handle.DangerousRelease();
        }
    }

    private unsafe BpfLoadException CreateLoadException(int errno, byte*[] logs, int size, List<string> warnings)
    {
        // libbpf names the rejected program in its warning; when all programs logged (level > 0)
        // that is the only reliable pointer, else the one non-empty log is the rejected program's.
        string? program = null;
        foreach (string w in warnings)
        {
            var m = FailedProgram().Match(w);
            if (m.Success)
                program = m.Groups[1].Value;
        }
        int index = program is null ? -1 : Array.FindIndex(_programs, p => p.Name == program);
        if (index < 0)
        {
            for (int i = 0; i < logs.Length; i++)
            {
                if (logs[i] is not null && logs[i][0] != 0)
                    index = i;
            }
            program ??= index >= 0 ? _programs[index].Name : null;
        }
        string log = string.Empty;
        if (index >= 0 && logs[index] is not null)
        {
            var span = new ReadOnlySpan<byte>(logs[index], size);
            int len = span.IndexOf((byte)0);
            log = System.Text.Encoding.UTF8.GetString(span[..(len < 0 ? size : len)]);
        }
        return new BpfLoadException(Name, program, errno, log, [.. warnings]);
    }

    [GeneratedRegex(@"prog '([^']+)': (?:BPF program load failed|failed to load)")]
    private static partial Regex FailedProgram();
}
