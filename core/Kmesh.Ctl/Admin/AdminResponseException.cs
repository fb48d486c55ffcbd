namespace Kmesh.Ctl.Admin;

/// <summary>The admin API answered 2xx with a body this command cannot read (another version of the contract?).</summary>
internal sealed class AdminResponseException(string path, string reason, Exception? inner = null)
    : AdminException($"cannot read the answer of {path}: {reason}", inner);
