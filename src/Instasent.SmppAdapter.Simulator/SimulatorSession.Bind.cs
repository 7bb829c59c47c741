using SmppVersion = Instasent.Smpp.Pdus.InterfaceVersion;

namespace Instasent.SmppAdapter.Simulator;

// bind_transmitter / bind_receiver / bind_transceiver: credentials, the account's bind limit, the bind-refusal fault.
internal sealed partial class SimulatorSession
{
    private void HandleBind(BindRequest bind)
    {
        var status = CheckBind(bind, out var account);
        var response = (BindResponse)bind.CreateResponse(status)!;
        if (status != CommandStatus.ESME_ROK)
        {
            StatsCounters.Count(Counters.BindsRefused, status);
            _simulator.Log.LogInformation("#{Id} {Command} as '{SystemId}' refused: {Status}", Id, bind.CommandId.Describe(), bind.SystemId, status.Describe());
            _replies.Add(response);
            return;
        }
        response.SystemId = _simulator.Options.SmscSystemId;
        // SMPP 3.4 §4.1.2 / 5.0 §4.1.1.2: sc_interface_version tells a 3.4+ ESME what the SMSC speaks; an SMPP 3.3
        // ESME knows no TLVs, so it gets none.
        if (bind.InterfaceVersion >= SmppVersion.V34)
        {
            response.Tlvs.ScInterfaceVersion = bind.InterfaceVersion >= SmppVersion.V50 ? SmppVersion.V50 : SmppVersion.V34;
        }

        _replies.Add(response);

        Account = account;
        InterfaceVersion = bind.InterfaceVersion;
        Bind = bind switch
        {
            BindTransmitter => BindKind.Transmitter,
            BindReceiver => BindKind.Receiver,
            _ => BindKind.Transceiver,
        };
        Interlocked.Increment(ref Counters.BindsAccepted);
        Counters.CountBound();
        _simulator.Log.LogInformation("#{Id} bound {Bind} as '{SystemId}' (SMPP {Version}) from {Remote}", Id, Bind, bind.SystemId,
            SmppVersion.Describe(bind.InterfaceVersion), Remote);
        if (Bind != BindKind.Transmitter && account!.AddReceiver(this) is { } waiting)
        {
            QueueDeliveries(waiting);
        }
    }

    private CommandStatus CheckBind(BindRequest bind, out AccountState? account)
    {
        account = null;
        if (Bind != BindKind.None)
        {
            return CommandStatus.ESME_RALYBND;
        }

        if (Faults.RefusesBindsAt(_simulator.Time.GetUtcNow()))
        {
            return CommandStatus.ESME_RBINDFAIL;
        }

        account = _simulator.FindAccount(bind.SystemId);
        if (account is null)
        {
            return CommandStatus.ESME_RINVSYSID;
        }

        if (!string.Equals(account.Account.Password, bind.Password, StringComparison.Ordinal))
        {
            return CommandStatus.ESME_RINVPASWD;
        }
        // Over the account's limit: ESME_RBINDFAIL. ESME_RALYBND would say this very session is bound already.
        return account.TryAddBind() ? CommandStatus.ESME_ROK : CommandStatus.ESME_RBINDFAIL;
    }
}
