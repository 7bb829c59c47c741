using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>A <see cref="SendSms"/> that passed validation, with everything submit_sm needs except the concatenation reference.</summary>
public sealed record SubmitPlan
{
    public required SendSms Command { get; init; }
    public required SmppConnectionOptions Connection { get; init; }
    public required SmppAddress Source { get; init; }
    public required SmppAddress Destination { get; init; }
    public required SmsAlphabet Alphabet { get; init; }
    public required int Segments { get; init; }
    public string ValidityPeriod { get; init; } = "";
    public string ScheduleDeliveryTime { get; init; } = "";
}

/// <summary>Validation outcome: a plan, or the reason naming the field and the rule.</summary>
public readonly record struct SendSmsValidation(SubmitPlan? Plan, string? Reason, string? Connection)
{
    public bool IsValid => Plan is not null;
}
