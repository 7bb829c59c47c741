namespace Instasent.Smpp.Pdus;

/// <summary>Type of Number (SMPP 3.4 §5.2.5).</summary>
public enum Ton : byte
{
    Unknown = 0,
    International = 1,
    National = 2,
    NetworkSpecific = 3,
    SubscriberNumber = 4,
    Alphanumeric = 5,
    Abbreviated = 6,
}

/// <summary>Numbering Plan Indicator (SMPP 3.4 §5.2.6).</summary>
public enum Npi : byte
{
    Unknown = 0,
    Isdn = 1,
    Data = 3,
    Telex = 4,
    LandMobile = 6,
    National = 8,
    Private = 9,
    Ermes = 10,
    Internet = 14,
    WapClientId = 18,
}

/// <summary>interface_version values (SMPP 3.4 §5.2.4, SMPP 5.0 §4.7.13).</summary>
public static class InterfaceVersion
{
    public const byte V33 = 0x33;
    public const byte V34 = 0x34;
    public const byte V50 = 0x50;

    public static string Describe(byte version) => version switch
    {
        V50 => "5.0",
        V34 => "3.4",
        <= V33 => "3.3",
        _ => $"0x{version:X2}",
    };
}

/// <summary>esm_class bits (SMPP 3.4 §5.2.12).</summary>
public static class EsmClass
{
    /// <summary>Bit 6: short_message starts with a User Data Header.</summary>
    public const byte UdhIndicator = 0x40;

    /// <summary>Bit 7: reply path.</summary>
    public const byte ReplyPath = 0x80;

    /// <summary>Bits 5-2: message type.</summary>
    public const byte MessageTypeMask = 0x3C;

    public const byte SmscDeliveryReceipt = 0x04;
    public const byte SmeDeliveryAcknowledgement = 0x08;
    public const byte SmeManualAcknowledgement = 0x10;
    public const byte ConversationAbort = 0x18;
    public const byte IntermediateDeliveryNotification = 0x20;

    /// <summary>The message type of <paramref name="esmClass"/> (bits 5-2), comparable with the constants above.</summary>
    public static byte MessageType(byte esmClass) => (byte)(esmClass & MessageTypeMask);

    /// <summary>True for an SMSC delivery receipt (0x04) or an intermediate delivery notification (0x20).</summary>
    public static bool IsDeliveryReceipt(byte esmClass) =>
        MessageType(esmClass) is SmscDeliveryReceipt or IntermediateDeliveryNotification;
}

/// <summary>registered_delivery bits (SMPP 3.4 §5.2.17).</summary>
public static class RegisteredDelivery
{
    public const byte None = 0x00;
    public const byte SmscReceiptOnSuccessOrFailure = 0x01;
    public const byte SmscReceiptOnFailure = 0x02;
    public const byte IntermediateNotification = 0x10;
}
