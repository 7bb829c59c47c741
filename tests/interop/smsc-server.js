#!/usr/bin/env node
// A minimal SMSC on node-smpp's server, the independent peer our client sessions are tested and benchmarked
// against.
//
//   node smsc-server.js --port 0 --system-id myuser --password mypass [--receipts] [--verbose]
//
// Prints "LISTENING <port>" on stdout once it accepts connections (--port 0 picks a free port).
// * bind_transmitter / bind_receiver / bind_transceiver: wrong system_id or password -> ESME_RINVPASWD.
// * submit_sm -> submit_sm_resp with incrementing decimal message ids (1, 2, 3, ...) across all sessions.
// * --receipts: after each submit_sm_resp is written, a delivery receipt deliver_sm (esm_class 0x04, SMPP 3.4
//   Appendix B text, receipted_message_id and message_state TLVs) goes to the submitting session when it can
//   receive, otherwise to another receiver-capable session of the same system_id.
// * enquire_link -> enquire_link_resp; unbind -> unbind_resp, then the connection is closed.
// * Any other request -> generic_nack ESME_RINVCMDID, as Instasent's SMSC answers PDUs it does not list.
// * Requests before a successful bind -> ESME_RINVBNDSTS.
// Exits when stdin closes (its parent test process went away) or on SIGTERM/SIGINT.
'use strict';

const smpp = require('smpp');

function parseArgs(argv) {
  const args = { port: 2775, systemId: 'myuser', password: 'mypass', receipts: false, verbose: false };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') args.port = Number(argv[++i]);
    else if (a === '--system-id') args.systemId = argv[++i];
    else if (a === '--password') args.password = argv[++i];
    else if (a === '--receipts') args.receipts = true;
    else if (a === '--verbose') args.verbose = true;
    else throw new Error('unknown argument ' + a);
  }
  return args;
}

const args = parseArgs(process.argv);
const log = (...m) => { if (args.verbose) process.stderr.write(m.join(' ') + '\n'); };

let nextMessageId = 1;
const bound = new Set(); // sessions past a successful bind

const BIND_COMMANDS = { bind_transmitter: 'tx', bind_receiver: 'rx', bind_transceiver: 'trx' };
const SESSION_REQUESTS = new Set(['submit_sm', 'enquire_link', 'unbind', 'deliver_sm_resp', 'enquire_link_resp',
  'generic_nack']);

function smppTime(date) {
  const p = (n) => String(n).padStart(2, '0');
  return p(date.getUTCFullYear() % 100) + p(date.getUTCMonth() + 1) + p(date.getUTCDate()) +
    p(date.getUTCHours()) + p(date.getUTCMinutes());
}

function sendReceipt(origin, submit, messageId) {
  let target = origin.canReceive ? origin : null;
  if (!target) {
    for (const s of bound) if (s.canReceive && s.systemId === origin.systemId) { target = s; break; }
  }
  if (!target) return;
  const now = smppTime(new Date());
  const text = `id:${messageId} sub:001 dlvrd:001 submit date:${now} done date:${now} stat:DELIVRD err:000 text:`;
  target.deliver_sm({
    source_addr_ton: submit.dest_addr_ton,
    source_addr_npi: submit.dest_addr_npi,
    source_addr: submit.destination_addr,
    dest_addr_ton: submit.source_addr_ton,
    dest_addr_npi: submit.source_addr_npi,
    destination_addr: submit.source_addr,
    esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
    data_coding: 0,
    short_message: Buffer.from(text, 'ascii'),
    receipted_message_id: messageId,
    message_state: smpp.MESSAGE_STATE.DELIVERED,
  });
}

const server = smpp.createServer({}, (session) => {
  session.socket.setNoDelay(true);
  session.canReceive = false;
  session.on('error', (e) => log('session error', e.message));
  session.on('close', () => bound.delete(session));

  session.on('pdu', (pdu) => {
    if (pdu.isResponse()) return; // deliver_sm_resp, enquire_link_resp: nothing to do
    if (pdu.command in BIND_COMMANDS) {
      if (bound.has(session)) {
        session.send(pdu.response({ command_status: smpp.ESME_RALYBND }));
        return;
      }
      if (pdu.system_id !== args.systemId || pdu.password !== args.password) {
        log('bind refused for', pdu.system_id);
        session.send(pdu.response({ command_status: smpp.ESME_RINVPASWD }));
        return;
      }
      session.systemId = pdu.system_id;
      session.canReceive = BIND_COMMANDS[pdu.command] !== 'tx';
      bound.add(session);
      log('bound', pdu.command, pdu.system_id);
      session.send(pdu.response({ system_id: 'node-smpp-smsc' }));
      return;
    }
    if (!bound.has(session) && SESSION_REQUESTS.has(pdu.command)) {
      session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
      return;
    }
    switch (pdu.command) {
      case 'submit_sm': {
        const messageId = String(nextMessageId++);
        session.send(pdu.response({ message_id: messageId }), undefined, () => {
          if (args.receipts && (pdu.registered_delivery & 0x03) !== 0) sendReceipt(session, pdu, messageId);
        });
        return;
      }
      case 'enquire_link':
        session.send(pdu.response());
        return;
      case 'unbind':
        bound.delete(session);
        session.send(pdu.response(), undefined, () => session.close());
        return;
      default:
        session.send(new smpp.PDU('generic_nack', {
          sequence_number: pdu.sequence_number,
          command_status: smpp.ESME_RINVCMDID,
        }));
    }
  });
});

server.on('error', (e) => {
  process.stderr.write('server error: ' + e.message + '\n');
  process.exit(1);
});

server.listen(args.port, '127.0.0.1', () => {
  process.stdout.write('LISTENING ' + server.address().port + '\n');
});

function shutdown() {
  for (const s of bound) s.destroy();
  server.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdin.resume();
