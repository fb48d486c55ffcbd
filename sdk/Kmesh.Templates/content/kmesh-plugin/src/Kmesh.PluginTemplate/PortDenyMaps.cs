using System.Runtime.InteropServices;
using Kmesh.Sdk.Abi;

namespace Kmesh.PluginTemplate;

/// <summary>
/// <c>struct port_deny_key</c> in kmesh-plugin-template.bpf.c: the key of the deny_ports map.
/// Same layout as the C struct, field by field (test/…/MapLayoutTests checks it against the object's BTF).
/// </summary>
/// <param name="Port">The destination port, host byte order.</param>
/// <param name="Pad">Zero: a hash map compares every byte of its keys.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PortDenyKey(ushort Port, ushort Pad = 0);

/// <summary><c>struct port_deny_rule</c>: what happens to a connect to a denied port.</summary>
/// <param name="Err">The errno the connect fails with (positive, e.g. <see cref="PortDenyTranslator.ECONNREFUSED"/>).</param>
/// <param name="Reason">The reason recorded with the denial.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PortDenyRule(int Err, KmReason Reason);
