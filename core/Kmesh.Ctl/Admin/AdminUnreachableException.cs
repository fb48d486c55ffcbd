namespace Kmesh.Ctl.Admin;

/// <summary>No HTTP answer at all from the admin address: nothing listens, or nothing answers in time.</summary>
internal sealed class AdminUnreachableException(Uri baseAddress, string reason, Exception? inner = null)
    : AdminException($"cannot reach the admin API at {baseAddress.GetLeftPart(UriPartial.Authority)} ({reason}): is the daemon running with --admin?", inner);
