using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Messages;

/// <summary>
/// Reads delivery receipts from deliver_sm: the text form of SMPP 3.4 Appendix B
/// (<c>id:... sub:... dlvrd:... submit date:... done date:... stat:... err:... text:...</c>) with the variations real
/// SMSCs send (any key case, <c>submit_date</c>, extra spaces, 10/12/14-digit dates, no <c>text:</c>, letters in the id),
/// and the TLV form (receipted_message_id, message_state, network_error_code). Never throws on bad input.
/// </summary>
/// <param name="smscUtcOffset">Offset of the SMSC's clock for the text dates; UTC when null.</param>
public sealed partial class DeliveryReceiptParser(TimeSpan? smscUtcOffset = null)
{
    private static readonly string[] DateFormats = ["yyMMddHHmm", "yyMMddHHmmss", "yyyyMMddHHmmss"];
    private readonly TimeSpan _offset = smscUtcOffset ?? TimeSpan.Zero;

    /// <summary>
    /// Parses a deliver_sm whose esm_class marks a receipt (0x04) or intermediate notification (0x20); false for any
    /// other message type, or when no message id can be found. <paramref name="shortMessage"/> is read as ASCII; for an
    /// SMSC that sends receipts in another coding, decode first and use the string overload.
    /// </summary>
    public bool TryParse(byte esmClass, ReadOnlySpan<byte> shortMessage, string? receiptedMessageId, byte? messageState,
        ReadOnlySpan<byte> networkErrorCode, [NotNullWhen(true)] out DeliveryReceipt? receipt) =>
        TryParse(esmClass, Text.SmsText.Decode(Text.DataCodings.Ia5, shortMessage), receiptedMessageId, messageState, networkErrorCode, out receipt);

    /// <summary>As the byte overload, with the short message already decoded (or null when the SMSC sends only TLVs).</summary>
    public bool TryParse(byte esmClass, string? text, string? receiptedMessageId, byte? messageState,
        ReadOnlySpan<byte> networkErrorCode, [NotNullWhen(true)] out DeliveryReceipt? receipt)
    {
        receipt = null;
        if (!EsmClass.IsDeliveryReceipt(esmClass))
        {
            return false;
        }
        var fields = ReadFields(text ?? string.Empty);
        var id = string.IsNullOrWhiteSpace(receiptedMessageId) ? fields.Id : receiptedMessageId.Trim();
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }
        var stateFromText = fields.Stat is null ? null : MessageStates.FromSmppName(fields.Stat);
        var state = messageState is <= (byte)MessageState.Skipped ? (MessageState)messageState.Value : stateFromText ?? MessageState.Unknown;

        int? errorCode = int.TryParse(fields.Err, NumberStyles.None, CultureInfo.InvariantCulture, out var err) ? err : null;
        byte? networkType = null;
        if (networkErrorCode.Length == 3)
        {
            // SMPP 3.4 §5.3.2.31: network type (1 octet) then error code (2 octets).
            networkType = networkErrorCode[0];
            errorCode = BinaryPrimitives.ReadUInt16BigEndian(networkErrorCode[1..]);
        }

        receipt = new DeliveryReceipt
        {
            MessageId = id,
            State = state,
            RawStat = fields.Stat,
            Error = fields.Err,
            ErrorCode = errorCode,
            NetworkErrorType = networkType,
            SubmitDate = ParseDate(fields.SubmitDate),
            DoneDate = ParseDate(fields.DoneDate),
            Submitted = ParseCount(fields.Sub),
            Delivered = ParseCount(fields.Dlvrd),
            Text = fields.Text,
            IsIntermediate = EsmClass.MessageType(esmClass) == EsmClass.IntermediateDeliveryNotification,
        };
        return true;
    }

    private static Fields ReadFields(string text)
    {
        var fields = new Fields();
        var match = Key().Match(text);
        while (match.Success)
        {
            var next = match.NextMatch();
            var key = match.Groups["key"].Value;
            var isText = key.Equals("text", StringComparison.OrdinalIgnoreCase);
            // text: is last and free-form: it runs to the end even if it contains "id:" or "err:".
            var end = isText || !next.Success ? text.Length : next.Index;
            var value = text[(match.Index + match.Length)..end].Trim();
            switch (char.ToLowerInvariant(key[0]), key.Length)
            {
                case ('i', _): fields.Id ??= value; break;
                case ('s', 3): fields.Sub ??= value; break;
                case ('d', 5): fields.Dlvrd ??= value; break;
                case ('s', 4): fields.Stat ??= value; break;
                case ('e', _): fields.Err ??= value; break;
                case ('t', _): fields.Text ??= value; break;
                case ('s', _): fields.SubmitDate ??= value; break;
                case ('d', _): fields.DoneDate ??= value; break;
            }
            if (isText)
            {
                break;
            }
            match = next;
        }
        return fields;
    }

    private DateTimeOffset? ParseDate(string? value) =>
        DateTime.TryParseExact(value, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) && HasUtcInstant(local)
            ? new DateTimeOffset(local, _offset)
            : null;

    // A 14-digit date within the offset of year 1 or of the end of 9999 has no UTC instant, and DateTimeOffset throws
    // on it: such a date is as unreadable as a malformed one. (Found while writing the fuzz target "receipt".)
    private bool HasUtcInstant(DateTime local) =>
        local.Ticks - _offset.Ticks >= DateTime.MinValue.Ticks && local.Ticks - _offset.Ticks <= DateTime.MaxValue.Ticks;

    private static int? ParseCount(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    // A key starts the text or follows a non-word character, so "id" is not found inside another word.
    [GeneratedRegex(@"(?<![\w])(?<key>id|sub|dlvrd|submit[\s_]*date|done[\s_]*date|stat|err|text)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Key();

    private sealed class Fields
    {
        public string? Id, Sub, Dlvrd, SubmitDate, DoneDate, Stat, Err, Text;
    }
}
