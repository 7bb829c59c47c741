namespace Instasent.SmppAdapter.Contracts;

/// <summary>The values of <see cref="SendSms.Priority"/>.</summary>
public static class SmsPriorities
{
    /// <summary>The default lane: commands of a connection are sent in the order they arrive.</summary>
    public const string Normal = "normal";

    /// <summary>Overtakes the connection's backlog of <see cref="Normal"/> commands (e.g. one-time passwords).</summary>
    public const string High = "high";

    /// <summary>Every priority, for validation and documentation.</summary>
    public static IReadOnlyList<string> All { get; } = [Normal, High];
}
