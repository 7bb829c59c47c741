#!/usr/bin/env node
// node-smpp as an independent PDU codec for the C# interop tests.
//
// One JSON request per stdin line, one JSON answer per stdout line, in order:
//   {"op":"encode","pdu":{"command":"submit_sm","sequence_number":7,"source_addr":"Instasent",
//                         "short_message":{"hex":"48656c6c6f"},"receipted_message_id":"abc",
//                         "tlvs":[{"tag":5120,"hex":"0102"}]}}
//     -> {"hex":"0000002f00000004..."}
//   {"op":"decode","hex":"..."}
//     -> {"command":"submit_sm","command_length":47,...,"short_message":"48656c6c6f",
//         "_message":{"short_message":{"udh":[],"message":"Hello"}}}
//   {"op":"schema"} -> {"commands":{"submit_sm":["service_type",...]},"tlvs":{"516":{"name":"user_message_reference","type":"int16","multiple":false}}}
//   anything that fails -> {"error":"..."}
//
// Values: {"hex":"..."} anywhere in a request becomes a Buffer, so bytes are compared exactly (node-smpp
// passes Buffers through its text filters untouched; a plain string short_message would be text-encoded
// by node-smpp itself using data_coding). Answers print Buffers as lowercase hex strings.
//
// Decoding is reported raw (node-smpp's field filters off: times stay the 16-character strings, short_message
// and message_payload stay bytes), with node-smpp's own text view of short_message/message_payload under
// "_message" (its UDH split and GSM/Latin-1/UCS-2 decoding). Field names are node-smpp's; TLVs node-smpp
// does not know are keyed by their decimal tag, as node-smpp keys them.
'use strict';

const readline = require('readline');
const smpp = require('smpp');

const PDU = smpp.PDU;
const filterDecode = PDU.prototype._filter;

// Tags node-smpp has no name for are registered on first use as raw octet-string TLVs.
function ensureTlv(tag) {
  const known = smpp.tlvsById[tag];
  if (known) return known.tag;
  const name = 'tlv_0x' + tag.toString(16).padStart(4, '0');
  smpp.addTLV(name, { id: tag, type: smpp.types.tlv.buffer });
  return name;
}

function fromJson(value) {
  if (Array.isArray(value)) return value.map(fromJson);
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'hex') return Buffer.from(value.hex, 'hex');
    const out = {};
    for (const k of keys) out[k] = fromJson(value[k]);
    return out;
  }
  return value;
}

function toJson(value) {
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value)) out[k] = toJson(value[k]);
    return out;
  }
  return value;
}

// What node-smpp knows: each command's mandatory parameters in wire order, and each TLV's name and value type.
function schema() {
  const typeNames = new Map(Object.entries(smpp.types.tlv).map(([name, type]) => [type, name]));
  const commands = {};
  for (const [name, def] of Object.entries(smpp.commands)) commands[name] = Object.keys(def.params || {});
  const tlvs = {};
  for (const [id, def] of Object.entries(smpp.tlvsById)) {
    tlvs[id] = { name: def.tag, type: typeNames.get(def.type) || 'buffer', multiple: !!def.multiple };
  }
  return { commands, tlvs };
}

function encode(request) {
  const spec = fromJson(request.pdu || {});
  const command = spec.command;
  if (!command || !smpp.commands[command]) throw new Error('unknown command ' + JSON.stringify(command));
  const options = Object.assign({}, spec);
  delete options.command;
  delete options.tlvs;
  for (const tlv of spec.tlvs || []) {
    const value = Buffer.isBuffer(tlv.hex) ? tlv.hex : Buffer.from(tlv.hex || '', 'hex');
    const name = ensureTlv(tlv.tag);
    options[name] = smpp.tlvs[name].multiple ? (options[name] || []).concat([value]) : value;
  }
  const pdu = new PDU(command, options);
  return { hex: pdu.toBuffer().toString('hex') };
}

function decode(request) {
  const buffer = Buffer.from(request.hex || '', 'hex');
  if (buffer.length < 16 || buffer.length < buffer.readUInt32BE(0)) {
    throw new Error('not a whole PDU: ' + buffer.length + ' bytes');
  }
  let raw;
  PDU.prototype._filter = function () {};
  try {
    raw = PDU.fromBuffer(buffer);
  } finally {
    PDU.prototype._filter = filterDecode;
  }
  const result = toJson(Object.assign({}, raw));
  const texts = {};
  if (raw.command !== 'unknown') {
    const filtered = PDU.fromBuffer(buffer);
    for (const key of ['short_message', 'message_payload']) {
      if (key in filtered && filtered[key] && !Buffer.isBuffer(filtered[key])) texts[key] = toJson(filtered[key]);
    }
  }
  result._message = texts;
  return result;
}

const rl = readline.createInterface({ input: process.stdin, terminal: false });
rl.on('line', (line) => {
  if (!line.trim()) return;
  let answer;
  try {
    const request = JSON.parse(line);
    if (request.op === 'encode') answer = encode(request);
    else if (request.op === 'decode') answer = decode(request);
    else if (request.op === 'schema') answer = schema();
    else throw new Error('unknown op ' + JSON.stringify(request.op));
  } catch (e) {
    answer = { error: String(e && e.message ? e.message : e) };
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
});
rl.on('close', () => process.exit(0));
