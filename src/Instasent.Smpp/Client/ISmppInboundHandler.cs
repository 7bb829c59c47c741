using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

/// <summary>
/// Decides what to answer to the SMSC's deliver_sm and data_sm, and receives alert_notification. Called off the
/// read loop; calls may overlap and complete in any order, and each answer is sent when its call completes, so a
/// deliver_sm can be acknowledged only once what it carried is safe.
/// </summary>
public interface ISmppInboundHandler
{
    /// <summary>
    /// Returns the response to send (<see cref="Pdu.CreateResponse"/> of <paramref name="request"/>, with the
    /// status to answer); null answers ESME_ROK. alert_notification has no response: the result is ignored.
    /// A thrown exception answers ESME_RX_T_APPN so the SMSC delivers again later. <paramref name="cancellationToken"/>
    /// is cancelled when the session closes.
    /// </summary>
    ValueTask<Pdu?> HandleAsync(SmppSession session, Pdu request, CancellationToken cancellationToken);
}
