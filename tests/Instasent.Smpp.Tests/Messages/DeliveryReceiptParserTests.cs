using System.Text;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Messages;

public class DeliveryReceiptParserTests
{
    private const byte Receipt = 0x04;
    private const byte Intermediate = 0x20;
    private readonly DeliveryReceiptParser _parser = new();

    private DeliveryReceipt Parse(string text, byte esmClass = Receipt)
    {
        Assert.True(_parser.TryParse(esmClass, Encoding.ASCII.GetBytes(text), null, null, [], out var receipt));
        return receipt;
    }

    [Fact]
    public void The_appendix_b_form_gives_every_field()
    {
        var receipt = Parse("id:1234567890 sub:001 dlvrd:001 submit date:2301011200 done date:2301011201 stat:DELIVRD err:000 text:Hello world");

        Assert.Equal("1234567890", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal("DELIVRD", receipt.StateName);
        Assert.Equal(0, receipt.ErrorCode);
        Assert.Equal("000", receipt.Error);
        Assert.Equal((1, 1), (receipt.Submitted, receipt.Delivered));
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 12, 0, 0, TimeSpan.Zero), receipt.SubmitDate);
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 12, 1, 0, TimeSpan.Zero), receipt.DoneDate);
        Assert.Equal("Hello world", receipt.Text);
        Assert.False(receipt.IsIntermediate);
        Assert.True(receipt.IsFinal);
    }

    [Theory]
    [InlineData("id:0A1B2C3D sub:001 dlvrd:000 submit date:230101120000 done date:230101120530 stat:UNDELIV err:001 text:", "0A1B2C3D", MessageState.Undeliverable, 1)]
    [InlineData("ID:abc123 SUB:1 DLVRD:1 SUBMIT DATE:2301011200 DONE DATE:2301011200 STAT:delivrd ERR:0", "abc123", MessageState.Delivered, 0)]
    [InlineData("id:42 sub:001 dlvrd:001 submit_date:2301011200 done_date:2301011201 stat:EXPIRED err:000 text:x", "42", MessageState.Expired, 0)]
    [InlineData("id: 42  sub: 001   dlvrd: 001  submit date: 2301011200   done date: 2301011201 stat: REJECTD  err: 012 text: hi id:99 stat:DELIVRD", "42", MessageState.Rejected, 12)]
    [InlineData("id:c449ab9744f47b6af1879e49e75e4f40 sub:001 dlvrd:0 submit date:1609302202 done date:1609302202 stat:ACCEPTD err:0 text:", "c449ab9744f47b6af1879e49e75e4f40", MessageState.Accepted, 0)]
    [InlineData("id:7 sub:1 dlvrd:0 submit date:2301011200 done date:2301011200 stat:DELETED err:0", "7", MessageState.Deleted, 0)]
    [InlineData("id:7 stat:UNKNOWN err:0", "7", MessageState.Unknown, 0)]
    [InlineData("id:7 stat:ENROUTE err:0", "7", MessageState.Enroute, 0)]
    [InlineData("id:7 stat:DELIVERED err:0", "7", MessageState.Delivered, 0)]
    [InlineData("id:7 stat:FAILED err:34", "7", MessageState.Undeliverable, 34)]
    [InlineData("id:7 stat:WEIRD err:0", "7", MessageState.Unknown, 0)]
    [InlineData("Id:00000123 Sub:001 Dlvrd:001 Submit_Date:2301011200 Done_Date:2301011201 Stat:DELIVRD Err:000 Text:ok", "00000123", MessageState.Delivered, 0)]
    public void Real_world_variants_are_read(string text, string id, MessageState state, int errorCode)
    {
        var receipt = Parse(text);

        Assert.Equal(id, receipt.MessageId);
        Assert.Equal(state, receipt.State);
        Assert.Equal(errorCode, receipt.ErrorCode);
    }

    [Fact]
    public void A_text_field_containing_other_keys_does_not_override_them()
    {
        var receipt = Parse("id:42 stat:REJECTD err:012 text: hi id:99 stat:DELIVRD");

        Assert.Equal("hi id:99 stat:DELIVRD", receipt.Text);
        Assert.Equal(MessageState.Rejected, receipt.State);
    }

    [Fact]
    public void Twelve_digit_dates_keep_the_seconds()
    {
        Assert.Equal(new DateTimeOffset(2023, 1, 1, 12, 5, 30, TimeSpan.Zero), Parse("id:1 done date:230101120530 stat:DELIVRD").DoneDate);
    }

    [Fact]
    public void An_unreadable_date_is_null_not_an_error()
    {
        var receipt = Parse("id:1 submit date:99999999 done date:2313011200 stat:DELIVRD");

        Assert.Null(receipt.SubmitDate);
        Assert.Null(receipt.DoneDate);
    }

    [Fact]
    public void Dates_are_read_in_the_configured_smsc_offset()
    {
        var parser = new DeliveryReceiptParser(TimeSpan.FromHours(2));

        Assert.True(parser.TryParse(Receipt, "id:1 submit date:2301011200 stat:DELIVRD"u8, null, null, [], out var receipt));

        Assert.Equal(new DateTimeOffset(2023, 1, 1, 10, 0, 0, TimeSpan.Zero), receipt.SubmitDate!.Value.ToUniversalTime());
    }

    [Theory]
    [InlineData(2, "00010101000000")]   // 0001-01-01 00:00 at UTC+2 is two hours before the first UTC instant
    [InlineData(-5, "99991231235959")]  // 9999-12-31 23:59:59 at UTC-5 is past the last one
    public void A_date_with_no_utc_instant_at_the_smsc_offset_is_null_not_an_error(int offsetHours, string date)
    {
        var parser = new DeliveryReceiptParser(TimeSpan.FromHours(offsetHours));

        Assert.True(parser.TryParse(Receipt, Encoding.ASCII.GetBytes($"id:1 done date:{date} stat:DELIVRD"), null, null, [], out var receipt));

        Assert.Null(receipt.DoneDate);
    }

    [Fact]
    public void An_intermediate_notification_is_told_apart_and_not_final()
    {
        var receipt = Parse("id:1 sub:1 dlvrd:0 stat:ENROUTE err:0", Intermediate);

        Assert.True(receipt.IsIntermediate);
        Assert.False(receipt.IsFinal);
    }

    [Fact]
    public void Other_esm_class_bits_do_not_hide_the_receipt_type()
    {
        Assert.Equal("1", Parse("id:1 stat:DELIVRD", 0x44).MessageId);
    }

    [Theory]
    [InlineData(0x00)]
    [InlineData(0x08)]
    [InlineData(0x10)]
    public void A_message_that_is_not_a_receipt_is_refused(byte esmClass)
    {
        Assert.False(_parser.TryParse(esmClass, "id:1 stat:DELIVRD"u8, "1", 2, [], out _));
    }

    [Fact]
    public void Text_without_an_id_and_no_tlv_is_refused()
    {
        Assert.False(_parser.TryParse(Receipt, "hello there"u8, null, null, [], out _));
    }

    [Fact]
    public void The_tlv_form_alone_is_a_receipt()
    {
        Assert.True(_parser.TryParse(Receipt, [], "ABC123", 2, [0x03, 0x00, 0x0B], out var receipt));

        Assert.Equal("ABC123", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal((byte)3, receipt.NetworkErrorType);
        Assert.Equal(11, receipt.ErrorCode);
    }

    [Fact]
    public void Tlv_values_win_over_the_text()
    {
        Assert.True(_parser.TryParse(Receipt, "id:111 stat:UNDELIV err:005"u8, "222", 2, [0x03, 0x00, 0x00], out var receipt));

        Assert.Equal("222", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal(0, receipt.ErrorCode);
        Assert.Equal("UNDELIV", receipt.RawStat);
    }

    [Fact]
    public void An_out_of_range_message_state_falls_back_to_the_text()
    {
        Assert.True(_parser.TryParse(Receipt, "id:1 stat:EXPIRED"u8, null, 77, [], out var receipt));

        Assert.Equal(MessageState.Expired, receipt.State);
    }

    [Fact]
    public void A_non_numeric_err_keeps_the_raw_value()
    {
        var receipt = Parse("id:1 stat:UNDELIV err:X1");

        Assert.Equal("X1", receipt.Error);
        Assert.Null(receipt.ErrorCode);
    }

    [Theory]
    [InlineData(MessageState.Enroute, "ENROUTE")]
    [InlineData(MessageState.Delivered, "DELIVRD")]
    [InlineData(MessageState.Expired, "EXPIRED")]
    [InlineData(MessageState.Deleted, "DELETED")]
    [InlineData(MessageState.Undeliverable, "UNDELIV")]
    [InlineData(MessageState.Accepted, "ACCEPTD")]
    [InlineData(MessageState.Unknown, "UNKNOWN")]
    [InlineData(MessageState.Rejected, "REJECTD")]
    public void States_carry_their_smpp_names_and_read_back(MessageState state, string name)
    {
        Assert.Equal(name, state.ToSmppName());
        Assert.Equal(state, MessageStates.FromSmppName(name));
    }

    [Theory]
    [InlineData(0x00, 0x00)]
    [InlineData(0x04, EsmClass.SmscDeliveryReceipt)]
    [InlineData(0x08, EsmClass.SmeDeliveryAcknowledgement)]
    [InlineData(0x10, EsmClass.SmeManualAcknowledgement)]
    [InlineData(0x20, EsmClass.IntermediateDeliveryNotification)]
    [InlineData(0x43, 0x00)]
    public void The_message_type_comes_from_esm_class_bits_5_to_2(byte esmClass, byte type)
    {
        Assert.Equal(type, EsmClass.MessageType(esmClass));
    }
}
