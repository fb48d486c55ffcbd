namespace Kmesh.Ctl.Admin;

/// <summary>A failure talking to the admin API; the message is one complete line for the operator.</summary>
internal abstract class AdminException(string message, Exception? inner = null) : Exception(message, inner);
