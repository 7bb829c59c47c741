using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// The checks Instasent documents for submit_sm ("Integration" page): source_addr of 3 to 11 characters,
/// destination_addr in E.164, data_coding 0, 3 or 8, short_message up to one segment (UDH included) or the whole
/// text in message_payload, never both. Fields the page does not mention are accepted as sent.
/// </summary>
internal static class SubmitRules
{
    private const int MaxUserDataBits = 140 * 8;

    /// <summary>ESME_ROK, or the status Instasent would refuse <paramref name="submit"/> with.</summary>
    public static CommandStatus Check(SubmitSm submit, byte interfaceVersion)
    {
        if (!IsValidSource(submit.SourceAddr))
        {
            return CommandStatus.ESME_RINVSRCADR;
        }

        if (!IsE164(submit.DestinationAddr))
        {
            return CommandStatus.ESME_RINVDSTADR;
        }

        if (submit.DataCoding is not (DataCodings.Gsm7 or DataCodings.Latin9 or DataCodings.Ucs2))
        {
            // ESME_RINVDCS exists only from SMPP 5.0 (§4.7.6); SMPP 3.4 has no data_coding status, so a 3.4 session
            // gets the generic ESME_RSUBMITFAIL.
            return interfaceVersion >= InterfaceVersion.V50 ? CommandStatus.ESME_RINVDCS : CommandStatus.ESME_RSUBMITFAIL;
        }
        return CheckLength(submit) ? CommandStatus.ESME_ROK : CommandStatus.ESME_RINVMSGLEN;
    }

    /// <summary>3 to 11 printable ASCII characters: an alphanumeric sender or a number.</summary>
    public static bool IsValidSource(string source)
    {
        if (source.Length is < 3 or > 11)
        {
            return false;
        }

        foreach (var c in source)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>E.164 (ITU-T E.164 §6): country code first (never 0), at most 15 digits; the leading '+' is optional.</summary>
    public static bool IsE164(string destination)
    {
        var digits = destination.AsSpan(destination.StartsWith('+') ? 1 : 0);
        if (digits.Length is < 7 or > 15 || digits[0] == '0')
        {
            return false;
        }

        foreach (var c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }
        return true;
    }

    private static bool CheckLength(SubmitSm submit)
    {
        // SMPP 3.4 §5.3.2.32: message_payload is used instead of short_message, and then sm_length is 0.
        if (submit.Tlvs.TryGet(TlvTag.MessagePayload, out var p))
        {
            return submit.ShortMessage.IsEmpty && !p.IsEmpty && TextLengthIsWhole(submit, p.Span);
        }
        var message = submit.ShortMessage.Span;
        if (message.IsEmpty)
        {
            return false;
        }

        var udh = UdhLength(submit.EsmClass, message);
        if (udh < 0)
        {
            return false;
        }

        var textOctets = message.Length - udh;
        if (submit.DataCoding == DataCodings.Gsm7)
        {
            // Unpacked septets, one per octet; the UDH is padded to a septet boundary (3GPP TS 23.040 §9.2.3.24).
            var udhSeptets = (udh * 8 + 6) / 7;
            return (udhSeptets + textOctets) * 7 <= MaxUserDataBits;
        }
        return message.Length <= 140 && TextLengthIsWhole(submit, message[udh..]);
    }

    // UTF-16 text is whole code units.
    private static bool TextLengthIsWhole(SubmitSm submit, ReadOnlySpan<byte> text) =>
        submit.DataCoding != DataCodings.Ucs2 || text.Length % 2 == 0;

    /// <summary>The text octets: message_payload when present, else short_message.</summary>
    // TlvCollection.MessagePayload is never null today (a null in its conditional converts to an empty ReadOnlyMemory), so TryGet.
    public static ReadOnlyMemory<byte> Body(ShortMessagePdu pdu) =>
        pdu.Tlvs.TryGet(TlvTag.MessagePayload, out var payload) ? payload : pdu.ShortMessage;

    /// <summary>Octets of UDH (length octet included); 0 without UDHI; -1 when the UDH runs past the message.</summary>
    private static int UdhLength(byte esmClass, ReadOnlySpan<byte> message)
    {
        if ((esmClass & EsmClass.UdhIndicator) == 0)
        {
            return 0;
        }

        var offset = UserDataHeader.GetTextOffset(esmClass, message, out _);
        return offset == 0 ? -1 : offset;
    }
}
