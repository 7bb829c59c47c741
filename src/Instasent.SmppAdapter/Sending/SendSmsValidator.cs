using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Checks a <see cref="SendSms"/> against the contract and its connection's rules; pure (no I/O, no clock), so every
/// rejection reason is unit-tested. Each reason names the field, the rule and the value (phone numbers masked).
/// </summary>
public sealed class SendSmsValidator(AdapterOptions options)
{
    public const int MaxMessageIdLength = 256;

    public SendSmsValidation Validate(SendSms command)
    {
        if (LenientSendSmsConverter.TryGetProblem(command, out var problem))
        {
            return Fail(problem);
        }
        if (string.IsNullOrWhiteSpace(command.MessageId))
        {
            return Fail("messageId is required (the idempotency key)");
        }
        if (command.MessageId.Length > MaxMessageIdLength)
        {
            return Fail($"messageId must be at most {MaxMessageIdLength} characters (was {command.MessageId.Length})");
        }
        var connection = options.FindConnection(command.Connection);
        if (connection is null)
        {
            return Fail($"connection \"{command.Connection}\" is not configured (configured: {string.Join(", ", options.Connections.Select(c => c.Name))})");
        }
        var name = connection.Name;
        if (!SmppAddressRules.TryDestination(command.To, connection, out var destination, out var error)
            || !SmppAddressRules.TrySource(command.From, connection, out var source, out error))
        {
            return Fail(error!, name);
        }
        if (string.IsNullOrEmpty(command.Text))
        {
            return Fail("text must not be empty", name);
        }
        if (command.Priority is { Length: > 0 } priority && !SmsPriorities.All.Contains(priority))
        {
            return Fail($"priority must be {string.Join(" or ", SmsPriorities.All)} (was \"{priority}\")", name);
        }
        if (!TryAlphabet(command.Encoding, out var requested))
        {
            return Fail($"encoding must be auto, gsm7, latin9 or ucs2 (was \"{command.Encoding}\")", name);
        }
        var alphabet = requested ?? SmsText.ChooseAlphabet(command.Text);
        try
        {
            SmsText.EnsureEncodable(command.Text, alphabet);
        }
        catch (UnencodableCharacterException e)
        {
            return Fail($"text must fit encoding {command.Encoding}: character U+{char.ConvertToUtf32(e.Character, 0):X4} at index {e.Index} does not (use ucs2 or auto)", name);
        }
        var segments = MessageSplitter.CountSegments(command.Text, alphabet, connection.Segmentation);
        if (segments > connection.MaxSegments)
        {
            return Fail($"text needs {segments} segments in {alphabet} ({command.Text.Length} characters); the connection allows MaxSegments {connection.MaxSegments}", name);
        }
        var validity = "";
        if (command.ValidityPeriod is { Length: > 0 } vp && !SmppTime.TryRelative(vp, out validity, out error))
        {
            return Fail(error!, name);
        }
        var schedule = "";
        if (command.ScheduleDeliveryTime is { Length: > 0 } sdt && !SmppTime.TryAbsolute(sdt, out schedule, out error))
        {
            return Fail(error!, name);
        }
        return new SendSmsValidation(new SubmitPlan
        {
            Command = command,
            Connection = connection,
            Source = source,
            Destination = destination,
            Alphabet = alphabet,
            Segments = segments,
            ValidityPeriod = validity,
            ScheduleDeliveryTime = schedule,
        }, null, name);
    }

    private static bool TryAlphabet(string? encoding, out SmsAlphabet? alphabet)
    {
        alphabet = encoding?.ToLowerInvariant() switch
        {
            null or "" or "auto" => null,
            "gsm7" => SmsAlphabet.Gsm7,
            "latin9" => SmsAlphabet.Latin9,
            "ucs2" => SmsAlphabet.Ucs2,
            _ => (SmsAlphabet)0xFF,
        };
        return alphabet is not (SmsAlphabet)0xFF;
    }

    private static SendSmsValidation Fail(string reason, string? connection = null) => new(null, reason, connection);
}
