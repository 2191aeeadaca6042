/**
 * `npx tsx bench/live-calls.ts`: what saving call state costs. Runs `--calls` calls of the default hotline on the
 * simulator (virtual clock) to its main menu, then measures: the size of one saved snapshot, the time to take and
 * serialise one (paid at flush time, once per call per interval), the time `save()` holds a call (the key path),
 * how long the store takes to write every call's state through the write thread, and the longest event-loop delay
 * meanwhile (Asterisk drops an ARI socket whose reader stalls about 100 ms). Options: `--calls 1000`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { VirtualClock } from '../src/runtime/clock.js';
import { Engine } from '../src/runtime/engine.js';
import { createInMemoryServices } from '../src/runtime/in-memory-services.js';
import { SimulatedPhone } from '../src/telephony/simulator/simulated-phone.js';
import { compileFlowFile } from '../src/testing/load-flow.js';
import { createHoursService } from '../src/data/hours.js';
import { fakeHours } from '../src/testing/fakes.js';
import { openStore } from '../src/store/index.js';
import type { CallSession } from '../src/runtime/call-session.js';

const i = process.argv.indexOf('--calls');
const CALLS = i >= 0 ? Number(process.argv[i + 1]) : 1000;

const clock = new VirtualClock(Date.parse('2026-01-05T09:00:00Z'));
const services = createInMemoryServices({ clock, hours: fakeHours(createHoursService(), { office: 'open' }) });
const engine = new Engine(services);
engine.publish(await compileFlowFile('flows/acme-hotline.yaml'));
const sessions: CallSession[] = [];
for (let n = 0; n < CALLS; n++) {
  const phone = new SimulatedPhone(clock, { callId: `bench-${n}` });
  sessions.push(engine.startCall(phone));
}
await clock.advance(10_000);
const steps = new Set(sessions.map((s) => s.step));

let bytes = 0;
const t0 = performance.now();
for (const s of sessions) bytes += JSON.stringify(s.snapshot()).length;
const snapshotUs = ((performance.now() - t0) * 1000) / CALLS;

const dir = mkdtempSync(join(tmpdir(), 'tt-bench-live-'));
const store = openStore({ path: join(dir, 'touchtone.db'), writer: 'thread' });
const t1 = performance.now();
for (const s of sessions) store.liveCalls.save(s.id, s.flow.name, s.flow.version, () => s.snapshot());
const saveUs = ((performance.now() - t1) * 1000) / CALLS;
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
const t2 = performance.now();
await store.liveCalls.flush();
const flushMs = performance.now() - t2;
loop.disable();
const written = store.liveCalls.all().length;
await store.close();
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  [
    `calls: ${CALLS} at step(s) ${[...steps].join(', ')}; rows written: ${written}`,
    `snapshot size: ${Math.round(bytes / CALLS)} bytes per call`,
    `snapshot + JSON per call (at flush time): ${snapshotUs.toFixed(1)} µs`,
    `save() on the call path: ${saveUs.toFixed(2)} µs per call`,
    `flush of ${CALLS} calls at once (serialised 100 a batch on the event loop, written in the thread): ${flushMs.toFixed(1)} ms`,
    `longest event-loop delay during that flush: ${(loop.max / 1e6).toFixed(1)} ms`,
  ].join('\n') + '\n',
);
