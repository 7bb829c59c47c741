using System.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>How an <see cref="SmscSimulator"/> listens, whom it lets bind and how it reports deliveries.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Loopback by default; <c>0.0.0.0</c> to be reachable from other containers.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>0 picks a free port; read the bound one from <see cref="SmscSimulator.Port"/>.</summary>
    public int Port { get; init; }

    public IReadOnlyList<SimulatorAccount> Accounts { get; init; } = [];

    /// <summary>Time from submit_sm to its delivery receipt.</summary>
    public TimeSpan ReceiptDelay { get; init; } = TimeSpan.FromSeconds(1);

    public ReceiptMix ReceiptMix { get; init; } = ReceiptMix.AllDelivered;

    public ReceiptForm ReceiptForm { get; init; } = ReceiptForm.Both;

    public SimulatorMessageIdFormat MessageIdFormat { get; init; } = SimulatorMessageIdFormat.Decimal;

    /// <summary>The first message_id handed out; by default derived from the start time so a restarted simulator does not reuse ids.</summary>
    public long? FirstMessageId { get; init; }

    /// <summary>system_id the simulator answers binds with.</summary>
    public string SmscSystemId { get; init; } = "Instasent";

    /// <summary>deliver_sm outstanding at once on one session before further ones wait for a deliver_sm_resp.</summary>
    public int DeliverWindow { get; init; } = 256;

    /// <summary>A deliver_sm unanswered for this long is taken back and sent again later.</summary>
    public TimeSpan DeliverResponseTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Wait before resending a deliver_sm that was refused (e.g. ESME_RX_T_APPN) or unanswered.</summary>
    public TimeSpan DeliverRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Sends of one deliver_sm before the simulator gives up on it (counted in <see cref="SimulatorStats.DeliveriesAbandoned"/>).</summary>
    public int MaxDeliverAttempts { get; init; } = 5;

    /// <summary>Receipts and MO messages kept waiting for a receiver-capable session; beyond this new ones are dropped.</summary>
    public int MaxPendingDeliveries { get; init; } = 1_000_000;

    /// <summary>Accepted submit_sm kept for <see cref="SmscSimulator.RecentSubmits"/> and <c>GET /submits</c>.</summary>
    public int SubmitHistory { get; init; } = 1000;

    /// <summary>Logs every PDU in and out. Off by default: per-PDU logging costs throughput.</summary>
    public bool Verbose { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first setting that cannot work.</summary>
    public void Validate()
    {
        if (!IPAddress.TryParse(Host, out _))
        {
            throw new ArgumentException($"Host '{Host}' is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)", nameof(Host));
        }

        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Port {Port} is outside 0..65535", nameof(Port));
        }

        if (Accounts.Count == 0)
        {
            throw new ArgumentException("Accounts is empty: add at least one system_id:password", nameof(Accounts));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var account in Accounts)
        {
            account.Validate();
            if (!seen.Add(account.SystemId))
            {
                throw new ArgumentException($"Accounts lists system_id '{account.SystemId}' twice", nameof(Accounts));
            }
        }
        if (ReceiptDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"ReceiptDelay {ReceiptDelay} is negative", nameof(ReceiptDelay));
        }

        if (SmscSystemId.Length > FieldLimits.SystemId - 1)
        {
            throw new ArgumentException($"SmscSystemId is {SmscSystemId.Length} characters; SMPP allows at most {FieldLimits.SystemId - 1}", nameof(SmscSystemId));
        }

        if (DeliverWindow < 1)
        {
            throw new ArgumentException($"DeliverWindow {DeliverWindow} must be at least 1", nameof(DeliverWindow));
        }

        if (MaxDeliverAttempts < 1)
        {
            throw new ArgumentException($"MaxDeliverAttempts {MaxDeliverAttempts} must be at least 1", nameof(MaxDeliverAttempts));
        }

        if (DeliverResponseTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"DeliverResponseTimeout {DeliverResponseTimeout} must be positive", nameof(DeliverResponseTimeout));
        }

        if (SubmitHistory < 0)
        {
            throw new ArgumentException($"SubmitHistory {SubmitHistory} is negative", nameof(SubmitHistory));
        }
    }
}

/// <summary>One SMPP account: the credentials a bind must carry and how many sessions may be bound at once.</summary>
public sealed record SimulatorAccount(string SystemId, string Password, int MaxBinds = 10)
{
    public void Validate()
    {
        // SMPP 3.4 §4.1.1: system_id is a C-octet string of 16 with its NUL, password of 9.
        if (SystemId.Length is 0 or > FieldLimits.SystemId - 1)
        {
            throw new ArgumentException($"system_id '{SystemId}' is {SystemId.Length} characters; SMPP allows 1..{FieldLimits.SystemId - 1}", nameof(SystemId));
        }

        if (Password.Length > FieldLimits.Password - 1)
        {
            throw new ArgumentException($"password of '{SystemId}' is {Password.Length} characters; SMPP allows at most {FieldLimits.Password - 1}", nameof(Password));
        }

        if (MaxBinds < 1)
        {
            throw new ArgumentException($"MaxBinds of '{SystemId}' is {MaxBinds}; at least 1", nameof(MaxBinds));
        }
    }

    public override string ToString() => $"{SystemId} (max {MaxBinds} binds)";
}

/// <summary>How a delivery receipt says what happened: the text of SMPP 3.4 Appendix B, the TLVs, or both.</summary>
public enum ReceiptForm
{
    /// <summary>Only the <c>id:... stat:...</c> text in short_message.</summary>
    Text,

    /// <summary>Only receipted_message_id, message_state (and network_error_code when failed); short_message empty.</summary>
    Tlv,

    Both,
}

/// <summary>
/// How message ids are written. The adapter must be configured to match (its <c>MessageIdFormat</c> setting):
/// the two mixed forms exercise its hex/decimal normaliser.
/// </summary>
public enum SimulatorMessageIdFormat
{
    /// <summary>Decimal in submit_sm_resp and in receipts.</summary>
    Decimal,

    /// <summary>Upper-case hexadecimal in submit_sm_resp and in receipts.</summary>
    Hex,

    /// <summary>Hexadecimal in submit_sm_resp, the same number in decimal in receipts (adapter: HexToDecimal).</summary>
    HexInResponseDecimalInReceipt,

    /// <summary>Decimal in submit_sm_resp, the same number in upper-case hexadecimal in receipts (adapter: DecimalToHex).</summary>
    DecimalInResponseHexInReceipt,
}

/// <summary>How an injected mobile-originated message longer than one short_message is sent.</summary>
public enum MoSegmentation
{
    /// <summary>Concatenation UDH with an 8-bit reference (esm_class 0x40).</summary>
    Udh8,

    /// <summary>Concatenation UDH with a 16-bit reference (esm_class 0x40).</summary>
    Udh16,

    /// <summary>sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs.</summary>
    Sar,

    /// <summary>One deliver_sm: short_message when the text fits, else the whole text in message_payload.</summary>
    None,
}
