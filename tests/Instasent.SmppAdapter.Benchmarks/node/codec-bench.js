#!/usr/bin/env node
// node-smpp's encode + decode of the submit_sm that CodecBenchmarks measures (same fields, same bytes: checked
// below against the bytes our codec writes), in ns/op: warm-up first, then the median of several timed runs.
//
// node-smpp is not a dependency of this repository: install it outside the repo and point NODE_PATH at it:
//   mkdir -p /tmp/node-smpp && (cd /tmp/node-smpp && npm install --no-save smpp@0.6.0-rc.4)
//   NODE_PATH=/tmp/node-smpp/node_modules node tests/Instasent.SmppAdapter.Benchmarks/node/codec-bench.js
'use strict';

const smpp = require('smpp');
const assert = require('node:assert');

const GSM_TEXT =
  'Your Instasent verification code is 482913. It expires in 10 minutes. If you did not request this code, please ignore this message and contact support. Thanks!!';

// Written by Instasent.Smpp's PduCodec for CodecBenchmarks.CreateSubmitSm().
const EXPECTED_HEX =
  '000000D5000000040000000000000001000500496E73746173656E74000101333436303030303030303000000000000001000000A0' +
  Buffer.from(GSM_TEXT, 'ascii').toString('hex').toUpperCase();

const WARMUP = 20_000;
const RUNS = 7;
const ITERATIONS = 20_000;

function createSubmitSm() {
  return new smpp.PDU('submit_sm', {
    sequence_number: 1,
    service_type: '',
    source_addr_ton: 5,
    source_addr_npi: 0,
    source_addr: 'Instasent',
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: '34600000000',
    esm_class: 0,
    protocol_id: 0,
    priority_flag: 0,
    schedule_delivery_time: '',
    validity_period: '',
    registered_delivery: 1,
    replace_if_present_flag: 0,
    data_coding: 0,
    sm_default_msg_id: 0,
    // Octets, as our codec takes them: node-smpp passes a Buffer through its message filter unchanged.
    short_message: Buffer.from(GSM_TEXT, 'ascii'),
  });
}

assert.strictEqual(GSM_TEXT.length, 160);
const pdu = createSubmitSm();
const bytes = pdu.toBuffer();
assert.strictEqual(bytes.toString('hex').toUpperCase(), EXPECTED_HEX, 'node-smpp does not write the same bytes');
const decoded = smpp.PDU.fromBuffer(bytes);
assert.strictEqual(decoded.destination_addr, '34600000000');

const benchmarks = {
  encode: () => pdu.toBuffer(),
  decode: () => smpp.PDU.fromBuffer(bytes),
  'encode+decode': () => smpp.PDU.fromBuffer(pdu.toBuffer()),
};

let sink = 0;
function run(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += fn().command_length === 0 ? 1 : 0;
  return Number(process.hrtime.bigint() - start) / iterations;
}

console.log(`node ${process.version}, smpp ${require('smpp/package.json').version}, ${bytes.length}-octet submit_sm`);
for (const [name, fn] of Object.entries(benchmarks)) {
  run(fn, WARMUP);
  const times = Array.from({ length: RUNS }, () => run(fn, ITERATIONS)).sort((a, b) => a - b);
  const median = times[Math.floor(RUNS / 2)];
  console.log(`${name.padEnd(14)} ${median.toFixed(1).padStart(8)} ns/op  (median of ${RUNS} runs x ${ITERATIONS}; min ${times[0].toFixed(1)}, max ${times[RUNS - 1].toFixed(1)})`);
}
if (sink < 0) console.log(sink);
