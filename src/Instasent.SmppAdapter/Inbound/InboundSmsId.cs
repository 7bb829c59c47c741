using System.Security.Cryptography;
using System.Text;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// <c>InboundSmsReceived.id</c>: the same for every copy of one inbound SMS (the SMSC resends a deliver_sm it got no
/// OK for), so subscribers de-duplicate on it. The SMSC's id when it gives one (prefixed <c>smsc:</c>); otherwise a hash
/// of the connection, both numbers, the concatenation reference and the text (prefixed <c>sha256:</c>). Without an SMSC
/// id, two identical single-part messages between the same numbers get the same id: the price of an id that survives
/// the SMSC's resends.
/// </summary>
public static class InboundSmsId
{
    public static string For(string connection, string? smscMessageId, string from, string to, int? reference, string text)
    {
        if (!string.IsNullOrEmpty(smscMessageId))
        {
            return $"smsc:{connection}:{smscMessageId}";
        }
        var material = string.Join('\u001f', connection, from, to, reference?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", text);
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)))[..32];
    }
}
