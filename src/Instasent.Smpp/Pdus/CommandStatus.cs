namespace Instasent.Smpp.Pdus;

/// <summary>
/// Every command_status of SMPP 3.4 (§5.1.3) and SMPP 5.0 (§4.7.6). Member names are the specification's.
/// 0xC0-0xC4 carry their SMPP 5.0 names; SMPP 3.4 called them ESME_RINVOPTPARSTREAM, ESME_ROPTPARNOTALLWD,
/// ESME_RINVPARLEN, ESME_RMISSINGOPTPARAM and ESME_RINVOPTPARAMVAL.
/// </summary>
#pragma warning disable CA1707 // The specification's names, underscores included, are what operators search for.
public enum CommandStatus : uint
{
    ESME_ROK = 0x00000000,
    ESME_RINVMSGLEN = 0x00000001,
    ESME_RINVCMDLEN = 0x00000002,
    ESME_RINVCMDID = 0x00000003,
    ESME_RINVBNDSTS = 0x00000004,
    ESME_RALYBND = 0x00000005,
    ESME_RINVPRTFLG = 0x00000006,
    ESME_RINVREGDLVFLG = 0x00000007,
    ESME_RSYSERR = 0x00000008,
    ESME_RINVSRCADR = 0x0000000A,
    ESME_RINVDSTADR = 0x0000000B,
    ESME_RINVMSGID = 0x0000000C,
    ESME_RBINDFAIL = 0x0000000D,
    ESME_RINVPASWD = 0x0000000E,
    ESME_RINVSYSID = 0x0000000F,
    ESME_RCANCELFAIL = 0x00000011,
    ESME_RREPLACEFAIL = 0x00000013,
    ESME_RMSGQFUL = 0x00000014,
    ESME_RINVSERTYP = 0x00000015,
    ESME_RINVNUMDESTS = 0x00000033,
    ESME_RINVDLNAME = 0x00000034,
    ESME_RINVDESTFLAG = 0x00000040,
    ESME_RINVSUBREP = 0x00000042,
    ESME_RINVESMCLASS = 0x00000043,
    ESME_RCNTSUBDL = 0x00000044,
    ESME_RSUBMITFAIL = 0x00000045,
    ESME_RINVSRCTON = 0x00000048,
    ESME_RINVSRCNPI = 0x00000049,
    ESME_RINVDSTTON = 0x00000050,
    ESME_RINVDSTNPI = 0x00000051,
    ESME_RINVSYSTYP = 0x00000053,
    ESME_RINVREPFLAG = 0x00000054,
    ESME_RINVNUMMSGS = 0x00000055,
    ESME_RTHROTTLED = 0x00000058,
    ESME_RINVSCHED = 0x00000061,
    ESME_RINVEXPIRY = 0x00000062,
    ESME_RINVDFTMSGID = 0x00000063,
    ESME_RX_T_APPN = 0x00000064,
    ESME_RX_P_APPN = 0x00000065,
    ESME_RX_R_APPN = 0x00000066,
    ESME_RQUERYFAIL = 0x00000067,
    ESME_RINVTLVSTREAM = 0x000000C0,
    ESME_RTLVNOTALLWD = 0x000000C1,
    ESME_RINVTLVLEN = 0x000000C2,
    ESME_RMISSINGTLV = 0x000000C3,
    ESME_RINVTLVVAL = 0x000000C4,
    ESME_RDELIVERYFAILURE = 0x000000FE,
    ESME_RUNKNOWNERR = 0x000000FF,
    ESME_RSERTYPUNAUTH = 0x00000100,
    ESME_RPROHIBITED = 0x00000101,
    ESME_RSERTYPUNAVAIL = 0x00000102,
    ESME_RSERTYPDENIED = 0x00000103,
    ESME_RINVDCS = 0x00000104,
    ESME_RINVSRCADDRSUBUNIT = 0x00000105,
    ESME_RINVDSTADDRSUBUNIT = 0x00000106,
    ESME_RINVBCASTFREQINT = 0x00000107,
    ESME_RINVBCASTALIAS_NAME = 0x00000108,
    ESME_RINVBCASTAREAFMT = 0x00000109,
    ESME_RINVNUMBCAST_AREAS = 0x0000010A,
    ESME_RINVBCASTCNTTYPE = 0x0000010B,
    ESME_RINVBCASTMSGCLASS = 0x0000010C,
    ESME_RBCASTFAIL = 0x0000010D,
    ESME_RBCASTQUERYFAIL = 0x0000010E,
    ESME_RBCASTCANCELFAIL = 0x0000010F,
    ESME_RINVBCAST_REP = 0x00000110,
    ESME_RINVBCASTSRVGRP = 0x00000111,
    ESME_RINVBCASTCHANIND = 0x00000112,
}
#pragma warning restore CA1707

public static class CommandStatuses
{
    /// <summary>The specification's name, or null for a value it does not define (vendor-specific 0x400-0x4FF among them).</summary>
    public static string? Name(this CommandStatus status) =>
        Enum.IsDefined(status) ? status.ToString() : null;

    /// <summary><c>ESME_RTHROTTLED (0x58)</c>; unknown values as <c>0x0000045A</c> (vendor-specific when 0x400-0x4FF).</summary>
    public static string Describe(this CommandStatus status)
    {
        var value = (uint)status;
        return status.Name() is { } name
            ? $"{name} (0x{value:X2})"
            : value is >= 0x400 and <= 0x4FF ? $"vendor-specific (0x{value:X8})" : $"0x{value:X8}";
    }

    /// <summary>The SMSC says "not now": resend after a back-off rather than reject.</summary>
    public static bool IsTransient(this CommandStatus status) =>
        status is CommandStatus.ESME_RTHROTTLED or CommandStatus.ESME_RMSGQFUL;

    /// <summary>A refused bind that retrying soon will not fix: wrong credentials or account problems.</summary>
    public static bool IsCredentialError(this CommandStatus status) =>
        status is CommandStatus.ESME_RINVPASWD or CommandStatus.ESME_RINVSYSID or CommandStatus.ESME_RINVSYSTYP;
}
