#!/usr/bin/env node
// The fastest client an SMPP server can be measured with: it keeps --window submit_sm outstanding, copies them
// from one pre-encoded PDU (only sequence_number changes), writes every PDU a batch of responses frees in one
// write, and reads responses by command_length alone. No SMPP library, no PDU objects, no decoding beyond the
// header: whatever rate it reaches is the server's ceiling for that window, which is what compare-session.sh uses
// it for. It is not an SMPP client for anything else.
//
//   node ceiling-client.js --host 127.0.0.1 --port 2775 --system-id myuser --password mypass
//        [--window 50] [--duration 5] [--warmup 1] [--text "session-load benchmark message"]
//
// Sends the same submit_sm as `session-load` (source Instasent, TON 5; destination +34676388300, TON 1/NPI 1;
// data_coding 0; no receipts) and prints one JSON line:
//   {"event":"summary","submit_sm_per_s":N,"acknowledged":N,"not_ok":N}
// Exit code 0 when every response was ESME_ROK, 2 when the bind was refused, 3 otherwise. Bounded by
// --warmup + --duration + 10 s whatever the server does.
'use strict';

const net = require('node:net');

function parseArgs(argv) {
  const a = {
    host: '127.0.0.1', port: 2775, systemId: '', password: '', window: 50, duration: 5, warmup: 1,
    text: 'session-load benchmark message',
  };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--host') a.host = v();
    else if (k === '--port') a.port = Number(v());
    else if (k === '--system-id') a.systemId = v();
    else if (k === '--password') a.password = v();
    else if (k === '--window') a.window = Math.max(1, Number(v()));
    else if (k === '--duration') a.duration = Number(v());
    else if (k === '--warmup') a.warmup = Number(v());
    else if (k === '--text') a.text = v();
    else throw new Error('unknown argument ' + k);
  }
  return a;
}

const BIND_TRANSMITTER = 0x00000002;
const BIND_TRANSMITTER_RESP = 0x80000002;
const SUBMIT_SM = 0x00000004;
const SUBMIT_SM_RESP = 0x80000004;
const HEADER = 16;

const cString = (s) => Buffer.concat([Buffer.from(s, 'ascii'), Buffer.alloc(1)]);

function pdu(commandId, sequence, body) {
  const header = Buffer.alloc(HEADER);
  header.writeUInt32BE(HEADER + body.length, 0);
  header.writeUInt32BE(commandId, 4);
  header.writeUInt32BE(0, 8);
  header.writeUInt32BE(sequence, 12);
  return Buffer.concat([header, body]);
}

const args = parseArgs(process.argv);
const text = Buffer.from(args.text, 'ascii');
if (text.length > 254) throw new Error('--text must fit short_message (254 octets)');

const bind = pdu(BIND_TRANSMITTER, 1, Buffer.concat([
  cString(args.systemId), cString(args.password), cString(''), Buffer.from([0x34, 0, 0]), cString(''),
]));
// SMPP 3.4 §4.4.1, field by field.
const submit = pdu(SUBMIT_SM, 0, Buffer.concat([
  cString(''), // service_type
  Buffer.from([5, 0]), cString('Instasent'), // source_addr_ton, source_addr_npi, source_addr
  Buffer.from([1, 1]), cString('+34676388300'), // dest_addr_ton, dest_addr_npi, destination_addr
  Buffer.from([0, 0, 0]), // esm_class, protocol_id, priority_flag
  cString(''), cString(''), // schedule_delivery_time, validity_period
  Buffer.from([0, 0, 0, 0, text.length]), // registered_delivery, replace_if_present_flag, data_coding, sm_default_msg_id, sm_length
  text,
]));

let sequence = 1;
let acknowledged = 0;
let notOk = 0;
let measuredFrom = null; // { at, acknowledged } once the warm-up is over
let pending = Buffer.alloc(0);
let finished = false;

const socket = net.connect({ host: args.host, port: args.port }, () => {
  socket.setNoDelay(true);
  socket.write(bind);
});
const hardStop = setTimeout(() => finish(3, 'timed out'), (args.warmup + args.duration + 10) * 1000);

function sendSubmits(count) {
  if (finished || count === 0) return;
  const batch = Buffer.allocUnsafe(submit.length * count);
  for (let i = 0; i < count; i++) {
    submit.copy(batch, i * submit.length);
    sequence = sequence >= 0x7fffffff ? 1 : sequence + 1;
    batch.writeUInt32BE(sequence, i * submit.length + 12);
  }
  socket.write(batch);
}

function startMeasuring() {
  setTimeout(() => {
    measuredFrom = { at: process.hrtime.bigint(), acknowledged };
    setTimeout(() => finish(notOk === 0 ? 0 : 3), args.duration * 1000);
  }, args.warmup * 1000);
}

socket.on('data', (chunk) => {
  pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
  let offset = 0;
  let answered = 0;
  while (pending.length - offset >= HEADER) {
    const length = pending.readUInt32BE(offset);
    if (length < HEADER) return finish(3, `command_length ${length} from the server`);
    if (pending.length - offset < length) break;
    const commandId = pending.readUInt32BE(offset + 4);
    const status = pending.readUInt32BE(offset + 8);
    if (commandId === SUBMIT_SM_RESP) {
      acknowledged++;
      answered++;
      if (status !== 0) notOk++;
    } else if (commandId === BIND_TRANSMITTER_RESP) {
      if (status !== 0) return finish(2, `bind refused with command_status 0x${status.toString(16).padStart(8, '0')}`);
      startMeasuring();
      sendSubmits(args.window);
    }
    offset += length;
  }
  pending = pending.subarray(offset);
  sendSubmits(answered);
});
socket.on('error', (e) => finish(3, e.message));
socket.on('close', () => finish(3, 'the server closed the connection'));

function finish(code, why) {
  if (finished) return;
  finished = true;
  clearTimeout(hardStop);
  let rate = 0;
  if (measuredFrom) {
    const seconds = Number(process.hrtime.bigint() - measuredFrom.at) / 1e9;
    rate = Math.round(((acknowledged - measuredFrom.acknowledged) / seconds) * 10) / 10;
  }
  const summary = { event: 'summary', submit_sm_per_s: rate, acknowledged, not_ok: notOk };
  if (why) summary.error = why;
  process.stdout.write(JSON.stringify(summary) + '\n');
  process.exitCode = code;
  socket.destroy();
}
