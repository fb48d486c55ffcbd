namespace Kmesh.Admin;

/// <summary>The admin API could not listen where it was asked to; the message names the address.</summary>
public sealed class AdminStartException(string message, Exception inner) : Exception(message, inner);
