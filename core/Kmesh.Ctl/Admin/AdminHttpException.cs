using System.Net;

namespace Kmesh.Ctl.Admin;

/// <summary>The admin API answered, with an error status; the message is the server's own words.</summary>
internal sealed class AdminHttpException(HttpStatusCode status, string path, string serverMessage)
    : AdminException($"{serverMessage} (HTTP {(int)status} from {path})")
{
    public HttpStatusCode Status { get; } = status;
}
