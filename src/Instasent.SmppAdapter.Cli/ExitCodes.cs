namespace Instasent.SmppAdapter.Cli;

/// <summary>The process exit codes, stable for scripts.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for happened: every message submitted, the table printed, the tail ended.</summary>
    public const int Ok = 0;

    /// <summary>The command ran but the outcome was not the wanted one: a rejection, a timeout, an HTTP error.</summary>
    public const int Failed = 1;

    /// <summary>The arguments were wrong; nothing was sent.</summary>
    public const int BadArguments = 2;

    /// <summary>The broker (or, for <c>sessions</c>, the adapter) could not be reached.</summary>
    public const int Unreachable = 3;

    /// <summary>Interrupted by Ctrl-C before the work was done (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
