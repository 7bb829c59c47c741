#!/usr/bin/env node
// A bare AMQP client (amqplib, no MassTransit) publishing a plain JSON SendSms and reading the adapter's events:
// proves a service in any language can use the public contract (DESIGN.md, "The public contract").
//
//   node amqp-publish-consume.js [--uri amqp://guest:guest@127.0.0.1:5672/] [--queue smpp-send-sms]
//        [--message-id ID] [--from Instasent] [--to +34676388300] [--text "..."] [--json '{"connection":"x"}']
//        [--no-content-type] [--traceparent 00-...-...-01] [--no-publish]
//        [--exchanges smpp.sms-submitted,smpp.sms-rejected,smpp.sms-delivery-reported]
//        [--expect 1] [--timeout 30]
//
// Binds a temporary exclusive queue to each event exchange (declared fanout + durable when missing, as
// MassTransit declares them) BEFORE publishing, publishes the command with publisher confirms and
// mandatory=true (an unroutable command is reported, not lost silently), then prints one JSON line per event
// until --expect events arrived or --timeout seconds passed:
//   {"event":"listening","queue":"amq.gen-...","exchanges":[...]}   (bound: events from now on are caught)
//   {"event":"published","messageId":"...","queue":"smpp-send-sms","contentType":"application/json"}
//   {"event":"received","exchange":"smpp.sms-submitted","contentType":"...","headers":{...},"body":{...}}
//   {"event":"done","received":1,"timed_out":false}
// Exit code 0 when --expect events arrived, 3 on time-out, 4 when the command was unroutable, 1 on errors.
'use strict';

const amqp = require('amqplib');
const crypto = require('crypto');

function parseArgs(argv) {
  const a = {
    uri: process.env.RABBITMQ_URI || 'amqp://guest:guest@127.0.0.1:5672/', queue: 'smpp-send-sms',
    messageId: crypto.randomUUID(), from: 'Instasent', to: '+34676388300', text: 'Hello from amqplib',
    json: {}, contentType: true, traceparent: null, publish: true, expect: 1, timeout: 30,
    exchanges: ['smpp.sms-submitted', 'smpp.sms-rejected', 'smpp.sms-delivery-reported'],
  };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    const v = () => argv[++i];
    if (k === '--uri') a.uri = v();
    else if (k === '--queue') a.queue = v();
    else if (k === '--message-id') a.messageId = v();
    else if (k === '--from') a.from = v();
    else if (k === '--to') a.to = v();
    else if (k === '--text') a.text = v();
    else if (k === '--json') a.json = JSON.parse(v());
    else if (k === '--no-content-type') a.contentType = false;
    else if (k === '--traceparent') a.traceparent = v();
    else if (k === '--no-publish') a.publish = false;
    else if (k === '--exchanges') a.exchanges = v().split(',').filter(Boolean);
    else if (k === '--expect') a.expect = Number(v());
    else if (k === '--timeout') a.timeout = Number(v());
    else throw new Error('unknown argument ' + k);
  }
  return a;
}

const print = (o) => process.stdout.write(JSON.stringify(o) + '\n');

async function main() {
  const args = parseArgs(process.argv);
  const connection = await amqp.connect(args.uri);
  let exitCode = 1;
  try {
    const channel = await connection.createConfirmChannel();
    const { queue: events } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const exchange of args.exchanges) {
      await channel.assertExchange(exchange, 'fanout', { durable: true });
      await channel.bindQueue(events, exchange, '');
    }

    let received = 0;
    let resolveDone;
    const done = new Promise((r) => { resolveDone = r; });
    const timer = setTimeout(() => resolveDone(true), args.timeout * 1000);
    await channel.consume(events, (msg) => {
      if (!msg) return;
      const text = msg.content.toString('utf8');
      let body;
      try { body = JSON.parse(text); } catch { body = text; }
      print({
        event: 'received', exchange: msg.fields.exchange, routingKey: msg.fields.routingKey,
        contentType: msg.properties.contentType || null, headers: msg.properties.headers || {}, body,
      });
      if (++received >= args.expect) resolveDone(false);
    }, { noAck: true });

    print({ event: 'listening', queue: events, exchanges: args.exchanges });

    let unroutable = false;
    channel.on('return', () => { unroutable = true; });
    if (args.publish) {
      const command = Object.assign({ messageId: args.messageId, from: args.from, to: args.to, text: args.text },
        args.json);
      const headers = {};
      if (args.traceparent) headers.traceparent = args.traceparent;
      const options = { persistent: true, mandatory: true, messageId: command.messageId, headers };
      if (args.contentType) options.contentType = 'application/json';
      channel.publish('', args.queue, Buffer.from(JSON.stringify(command), 'utf8'), options);
      await channel.waitForConfirms();
      if (unroutable) {
        print({ event: 'unroutable', queue: args.queue, messageId: command.messageId });
        clearTimeout(timer);
        return 4;
      }
      print({
        event: 'published', messageId: command.messageId, queue: args.queue,
        contentType: options.contentType || null, traceparent: args.traceparent,
      });
    }

    const timedOut = args.expect > 0 ? await done : false;
    clearTimeout(timer);
    print({ event: 'done', received, timed_out: timedOut });
    exitCode = timedOut ? 3 : 0;
  } finally {
    await connection.close().catch(() => {});
  }
  return exitCode;
}

main().then((code) => process.exit(code), (e) => {
  print({ event: 'error', message: String(e && e.message ? e.message : e) });
  process.exit(1);
});
