using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Messages;

/// <summary>
/// Reads delivery receipts from deliver_sm: the text form of SMPP 3.4 Appendix B
/// (<c>id:... sub:... dlvrd:... submit date:... done date:... stat:... err:... text:...</c>) with the variations real
/// SMSCs send (any key case, <c>submit_date</c>, extra spaces, 10/12/14-digit dates, no <c>text:</c>, letters in the id),
/// and the TLV form (receipted_message_id, message_state, network_error_code). Never throws on bad input.
/// </summary>
/// <param name="smscUtcOffset">Offset of the SMSC's clock for the text dates; UTC when null.</param>
public sealed class DeliveryReceiptParser(TimeSpan? smscUtcOffset = null)
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

    /// <summary>
    /// Finds the keys (<c>id</c>, <c>sub</c>, <c>dlvrd</c>, <c>submit date</c>, <c>done date</c>, <c>stat</c>, <c>err</c>,
    /// <c>text</c>; any ASCII case; <c>submit</c>/<c>done</c> and <c>date</c> joined by any spaces or underscores, or
    /// none), each at the start or after a character that is not a letter, digit or underscore, followed by optional
    /// white space and a colon. A value runs from its colon to the next key, trimmed; <c>text:</c> runs to the end even
    /// if it holds "id:" or "err:". The first of a repeated key wins. One pass over the colons, no regular expression:
    /// a receipt is parsed for every message sent.
    /// </summary>
    private static Fields ReadFields(string text)
    {
        var fields = new Fields();
        Key previous = default;
        var valueStart = 0;
        for (var colon = text.IndexOf(':'); colon >= 0; colon = text.IndexOf(':', colon + 1))
        {
            if (KeyBefore(text, colon) is not { } key)
            {
                continue;
            }
            fields.Set(previous, text, valueStart, key.Start);
            previous = key;
            valueStart = colon + 1;
            if (key.Name == KeyName.Text)
            {
                break;
            }
        }
        fields.Set(previous, text, valueStart, text.Length);
        return fields;
    }

    /// <summary>The key that ends (before optional white space) at the colon at <paramref name="colon"/>, if any.</summary>
    private static Key? KeyBefore(string text, int colon)
    {
        var end = colon;
        while (end > 0 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        var before = text.AsSpan(0, end);
        KeyName name;
        int start;
        if (EndsWith(before, "date"))
        {
            var joined = end - 4;
            while (joined > 0 && (char.IsWhiteSpace(text[joined - 1]) || text[joined - 1] == '_'))
            {
                joined--;
            }
            var first = text.AsSpan(0, joined);
            (name, start) = EndsWith(first, "submit") ? (KeyName.SubmitDate, joined - 6)
                : EndsWith(first, "done") ? (KeyName.DoneDate, joined - 4)
                : (KeyName.None, 0);
        }
        else
        {
            (name, start) = EndsWith(before, "id") ? (KeyName.Id, end - 2)
                : EndsWith(before, "sub") ? (KeyName.Sub, end - 3)
                : EndsWith(before, "dlvrd") ? (KeyName.Dlvrd, end - 5)
                : EndsWith(before, "stat") ? (KeyName.Stat, end - 4)
                : EndsWith(before, "err") ? (KeyName.Err, end - 3)
                : EndsWith(before, "text") ? (KeyName.Text, end - 4)
                : (KeyName.None, 0);
        }
        // A key starts the text or follows a non-word character, so "id" is not found inside another word ("void:").
        return name == KeyName.None || (start > 0 && IsWordCharacter(text[start - 1])) ? null : new Key(name, start);
    }

    private static bool EndsWith(ReadOnlySpan<char> text, string key) => text.EndsWith(key, StringComparison.OrdinalIgnoreCase);

    // As a regular expression's \w: letters, non-spacing marks, decimal digits, connector punctuation (the underscore).
    private static bool IsWordCharacter(char c) => char.IsLetterOrDigit(c) || char.GetUnicodeCategory(c) is
        UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.LetterNumber;

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

    private enum KeyName { None, Id, Sub, Dlvrd, SubmitDate, DoneDate, Stat, Err, Text }

    private readonly record struct Key(KeyName Name, int Start);

    private sealed class Fields
    {
        public string? Id, Sub, Dlvrd, SubmitDate, DoneDate, Stat, Err, Text;

        /// <summary>Sets <paramref name="key"/>'s value, <paramref name="text"/> from <paramref name="start"/> to <paramref name="end"/>, trimmed, unless already set.</summary>
        public void Set(Key key, string text, int start, int end)
        {
            if (key.Name == KeyName.None)
            {
                return;
            }
            ref var field = ref Field(key.Name);
            if (field is not null)
            {
                return;
            }
            var value = text.AsSpan(start, end - start).Trim();
            field = value.IsEmpty ? string.Empty : value.ToString();
        }

        private ref string? Field(KeyName name)
        {
            switch (name)
            {
                case KeyName.Id: return ref Id;
                case KeyName.Sub: return ref Sub;
                case KeyName.Dlvrd: return ref Dlvrd;
                case KeyName.SubmitDate: return ref SubmitDate;
                case KeyName.DoneDate: return ref DoneDate;
                case KeyName.Stat: return ref Stat;
                case KeyName.Err: return ref Err;
                default: return ref Text;
            }
        }
    }
}
