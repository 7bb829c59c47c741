#!/usr/bin/env node
// A node-smpp ESME: proves third-party clients work against our simulator and serves as the benchmark peer.
//
//   node esme-client.js --host 127.0.0.1 --port 2775 --system-id myuser --password mypass
//        [--count 100] [--window 10] [--wait-receipts] [--duration 60] [--bind transceiver|transmitter]
//        [--source Instasent] [--destination +34676388300] [--text "..."]
//
// Binds, submits --count messages keeping at most --window unanswered, answers deliver_sm and enquire_link,
// unbinds, and prints JSON lines on stdout:
//   {"event":"bind","command":"bind_transceiver_resp","command_status":0,"command_status_name":"ESME_ROK","system_id":"..."}
//   {"event":"summary","submitted":100,"acknowledged":100,"failed":0,"statuses":{"ESME_ROK":100},
//    "submit_sm_per_s":1234.5,"elapsed_s":0.081,"receipts":100,"timed_out":false,"message_ids":[...]} (ids when <= 1000)
//   {"event":"unbind","command_status":0}
// --duration bounds the whole run (default 60 s); exit code 0 when every submit was answered ESME_ROK (and,
// with --wait-receipts, a receipt arrived for each), 2 when the bind was refused, 3 otherwise.
'use strict';

const smpp = require('smpp');

function parseArgs(argv) {
  const a = {
    host: '127.0.0.1', port: 2775, systemId: '', password: '', count: 1, window: 1, waitReceipts: false,
    duration: 60, bind: 'transceiver', source: 'Instasent', destination: '+34676388300', text: 'interop test',
  };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--host') a.host = v();
    else if (k === '--port') a.port = Number(v());
    else if (k === '--system-id') a.systemId = v();
    else if (k === '--password') a.password = v();
    else if (k === '--count') a.count = Number(v());
    else if (k === '--window') a.window = Math.max(1, Number(v()));
    else if (k === '--wait-receipts') a.waitReceipts = true;
    else if (k === '--duration') a.duration = Number(v());
    else if (k === '--bind') a.bind = v();
    else if (k === '--source') a.source = v();
    else if (k === '--destination') a.destination = v();
    else if (k === '--text') a.text = v();
    else throw new Error('unknown argument ' + k);
  }
  return a;
}

const args = parseArgs(process.argv);
const statusNames = {};
for (const name of Object.keys(smpp.errors)) statusNames[smpp.errors[name]] = name;
const statusName = (s) => statusNames[s] || '0x' + s.toString(16).padStart(8, '0');
const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');

const session = smpp.connect({ host: args.host, port: args.port, connectTimeout: 10000 });
const deadline = setTimeout(() => finish(true), args.duration * 1000);
let finished = false;
let submitted = 0;
let acknowledged = 0;
let failed = 0;
let inFlight = 0;
let receipts = 0;
let startedAt = 0;
let elapsed = 0;
const statuses = {};
const messageIds = [];

session.on('connect', () => session.socket.setNoDelay(true));
session.on('error', (e) => {
  print({ event: 'error', message: e.message });
  finish(true);
});
session.on('close', () => finish(!finished));
session.on('enquire_link', (pdu) => session.send(pdu.response()));
session.on('deliver_sm', (pdu) => {
  if ((pdu.esm_class & 0x3c) === smpp.ESM_CLASS.MC_DELIVERY_RECEIPT) receipts++;
  session.send(pdu.response());
  maybeDone();
});

session[`bind_${args.bind}`]({ system_id: args.systemId, password: args.password, interface_version: 0x34 }, (pdu) => {
  print({
    event: 'bind', command: pdu.command, command_status: pdu.command_status,
    command_status_name: statusName(pdu.command_status), system_id: pdu.system_id,
  });
  if (pdu.command_status !== 0) {
    finished = true;
    clearTimeout(deadline);
    session.destroy();
    process.exitCode = 2;
    return;
  }
  startedAt = process.hrtime.bigint();
  pump();
});

function pump() {
  while (!finished && inFlight < args.window && submitted < args.count) {
    submitted++;
    inFlight++;
    session.submit_sm({
      source_addr_ton: 5, source_addr_npi: 0, source_addr: args.source,
      dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: args.destination,
      registered_delivery: args.waitReceipts ? 1 : 0, data_coding: 0,
      short_message: Buffer.from(args.text, 'ascii'),
    }, (resp) => {
      inFlight--;
      acknowledged++;
      const name = statusName(resp.command_status);
      statuses[name] = (statuses[name] || 0) + 1;
      if (resp.command_status !== 0) failed++;
      else if (messageIds.length < 1000) messageIds.push(resp.message_id);
      if (acknowledged === args.count) elapsed = Number(process.hrtime.bigint() - startedAt) / 1e9;
      pump();
      maybeDone();
    });
  }
}

function maybeDone() {
  if (acknowledged < args.count) return;
  if (args.waitReceipts && receipts < args.count - failed) return;
  finish(false);
}

function finish(timedOut) {
  if (finished) return;
  finished = true;
  clearTimeout(deadline);
  if (!elapsed && startedAt) elapsed = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const ok = !timedOut && failed === 0 && acknowledged === args.count &&
    (!args.waitReceipts || receipts >= args.count);
  print({
    event: 'summary', submitted, acknowledged, failed, statuses,
    submit_sm_per_s: elapsed > 0 ? Math.round((acknowledged / elapsed) * 10) / 10 : 0,
    elapsed_s: Math.round(elapsed * 1000) / 1000, receipts, timed_out: timedOut,
    message_ids: messageIds,
  });
  process.exitCode = ok ? 0 : 3;
  if (session.closed) return;
  const stop = setTimeout(() => session.destroy(), 2000);
  session.unbind((resp) => {
    print({ event: 'unbind', command_status: resp.command_status });
    clearTimeout(stop);
    session.close();
  });
}
