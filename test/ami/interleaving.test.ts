/**
 * What a real AMI may do that the fake's tidy answers do not: interleave the events of two lists, send events
 * nobody asked for, answer with lines that are not `Key: Value`, and split bytes anywhere.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { createServer, type Server, type Socket } from 'node:net';
import { VirtualClock } from '../../src/runtime/clock.js';
import { silentLogger } from '../../src/runtime/services.js';
import { AmiClient } from '../../src/telephony/ami/client.js';
import { AmiFramer, AmiProtocolError, type AmiFrame } from '../../src/telephony/ami/protocol.js';

let server: Server | undefined;
let client: AmiClient | undefined;
afterEach(async () => {
  await client?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = client = undefined;
});

/** A server that logs anyone in, then hands every action block to `script`. */
async function scripted(script: (socket: Socket, actionIds: string[]) => void): Promise<number> {
  server = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('Asterisk Call Manager/9.0.0\r\n');
    let buffer = '';
    const ids: string[] = [];
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\r\n\r\n'); end >= 0; end = buffer.indexOf('\r\n\r\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 4);
        const id = /ActionID: (.*)/.exec(block)?.[1] ?? '';
        if (/Action: Login/.test(block)) socket.write(`Response: Success\r\nActionID: ${id}\r\nMessage: Authentication accepted\r\n\r\n`);
        else {
          ids.push(id);
          script(socket, ids);
        }
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

describe('AMI client on a messy stream', () => {
  it('untangles two interleaved event lists, ignoring unsolicited events and junk lines', async () => {
    const port = await scripted((socket, ids) => {
      if (ids.length < 2) return;
      const [a, b] = ids;
      // Byte by byte, B's list interleaved into A's, with noise in between.
      const text =
        `Response: Success\r\nActionID: ${b}\r\nEventList: start\r\n\r\n` +
        `Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n` +
        `Response: Success\r\nActionID: ${a}\r\nEventList: start\r\n\r\n` +
        `Event: QueueSummary\r\nQueue: b\r\nActionID: ${b}\r\nLoggedIn: 2\r\n\r\n` +
        `this line has no colon\r\nEvent: QueueSummary\r\nQueue: a\r\nActionID: ${a}\r\nLoggedIn: 1\r\n\r\n` +
        `Event: QueueSummaryComplete\r\nActionID: ${a}\r\nEventList: Complete\r\nListItems: 1\r\n\r\n` +
        `Event: QueueSummary\r\nQueue: b2\r\nActionID: ${b}\r\nLoggedIn: 3\r\n\r\n` +
        `Event: QueueSummaryComplete\r\nActionID: ${b}\r\nEventList: Complete\r\nListItems: 2\r\n\r\n`;
      for (const ch of text) socket.write(ch);
    });
    client = new AmiClient({ host: '127.0.0.1', port, username: 'u', secret: 's', timeoutMs: 1000, logger: silentLogger, clock: new VirtualClock() });
    await vi.waitFor(() => expect(client!.health().connected).toBe(true));
    const [a, b] = await Promise.all([client.action({ Action: 'QueueSummary', Queue: 'a' }), client.action({ Action: 'QueueSummary', Queue: 'b' })]);
    expect(a.ok && a.events.map((e) => e.queue)).toEqual(['a']);
    expect(b.ok && b.events.map((e) => e.queue)).toEqual(['b', 'b2']);
  });

  it('turns `Response: Error` into a value with the message', async () => {
    const port = await scripted((socket, ids) => socket.write(`Response: Error\r\nActionID: ${ids.at(-1)}\r\nMessage: Permission denied\r\n\r\n`));
    client = new AmiClient({ host: '127.0.0.1', port, username: 'u', secret: 's', timeoutMs: 1000, logger: silentLogger, clock: new VirtualClock() });
    await vi.waitFor(() => expect(client!.health().connected).toBe(true));
    expect(await client.action({ Action: 'QueueSummary' })).toEqual({ ok: false, code: 'ami-error', message: 'AMI answered an error: Permission denied.' });
  });

  it('drops a peer that floods one message past the bound, and says why', async () => {
    const port = await scripted((socket) => socket.write('Event: X\r\n' + 'Junk: '.concat('x'.repeat(100)).concat('\r\n').repeat(1000)));
    client = new AmiClient({ host: '127.0.0.1', port, username: 'u', secret: 's', timeoutMs: 1000, logger: silentLogger, clock: new VirtualClock() });
    await vi.waitFor(() => expect(client!.health().connected).toBe(true));
    expect(await client.action({ Action: 'QueueSummary' })).toMatchObject({ ok: false, code: 'ami-down' });
    expect(client.health()).toEqual({ connected: false, lastError: 'AMI sent a message longer than 65536 bytes; the connection is dropped.' });
  });
});

describe('AMI framer (property)', () => {
  it('frames the same messages however the stream is split, and fails only with a protocol error', () => {
    const line = fc.tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/), fc.string({ maxLength: 20 }).map((v) => v.replace(/[\r\n]/g, '')));
    const message = fc.array(line, { minLength: 1, maxLength: 6 }).map((lines) => lines.map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
    fc.assert(
      fc.property(fc.array(message, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (messages, cuts) => {
        const text = 'Asterisk Call Manager/9.0.0\r\n' + messages.join('');
        const whole = new AmiFramer().push(text);
        const framer = new AmiFramer();
        const parts: AmiFrame[] = [];
        let at = 0;
        for (const cut of [...cuts].map((c) => c % (text.length + 1)).sort((x, y) => x - y)) {
          parts.push(...framer.push(text.slice(at, cut)));
          at = Math.max(at, cut);
        }
        parts.push(...framer.push(text.slice(at)));
        expect(parts).toEqual(whole);
        expect(whole.filter((f) => f.kind === 'message')).toHaveLength(messages.length);
      }),
    );
  });

  it('never throws anything but a protocol error on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 3000 }), { maxLength: 40 }), (chunks) => {
        const framer = new AmiFramer();
        try {
          for (const chunk of chunks) framer.push(chunk);
        } catch (error) {
          expect(error).toBeInstanceOf(AmiProtocolError);
        }
      }),
    );
  });
});
