/**
 * Engine benchmark: prints figures, asserts nothing. Run with
 *   node --expose-gc --import tsx bench/engine.ts        (heap per call needs --expose-gc)
 *   npx tsx bench/engine.ts                              (everything else)
 *
 * 1. compile time of generated 10 / 100 / 1,000-step flows;
 * 2. key event in → port command out latency (p50 / p99) with 1,000 and 10,000 simultaneous calls, each parked in
 *    a menu; the key moves the call to another menu, whose prompt is the command measured;
 * 3. heap per live call parked in a menu;
 * 4. key events per second on one core.
 * Timers run on a clock that never fires during the run (timeouts are minutes long), so the figures are the
 * engine's own cost.
 */
import type { FlowDoc, StepDef } from '../src/flow/types.js';
import { compileFlow } from '../src/compile/compile-flow.js';
import { Engine } from '../src/runtime/engine.js';
import { createInMemoryServices } from '../src/runtime/in-memory-services.js';
import { systemClock } from '../src/runtime/clock.js';
import type { CallFacts, CallPort, PortEventListener } from '../src/telephony/port.js';
import type { Digit } from '../src/flow/types.js';
import type { CallRecordSink } from '../src/runtime/services.js';

/** A port that does nothing but note that a command arrived (so the engine's cost is what is measured). */
class BenchPort implements CallPort {
  listener: PortEventListener | undefined;
  commands = 0;
  constructor(readonly facts: CallFacts) {}
  onEvent(listener: PortEventListener): void {
    this.listener = listener;
  }
  answer(): void {}
  play(): void {
    this.commands++;
  }
  stopPlayback(): void {
    this.commands++;
  }
  startMusicOnHold(): void {}
  stopMusicOnHold(): void {}
  setVariables(): void {}
  transfer(): void {}
  enqueue(): void {}
  record(): void {}
  hangup(): void {}
  press(digit: Digit): void {
    this.listener?.({ type: 'key', digit });
  }
}

const nullSink: CallRecordSink = { callStarted() {}, event() {}, callEnded() {} };

function generatedFlow(steps: number): FlowDoc {
  const out: Record<string, StepDef> = {};
  for (let i = 0; i < steps; i++) {
    const next = `s${(i + 1) % steps}`;
    const prev = `s${(i + steps - 1) % steps}`;
    switch (i % 4) {
      case 0:
        out[`s${i}`] = { menu: { prompt: 'p', options: { '1': next, '2': prev, '3': 'repeat' } } };
        break;
      case 1:
        out[`s${i}`] = { play: ['p'], next };
        break;
      case 2:
        out[`s${i}`] = { set: { n: { expr: 'n + 1' } }, next };
        break;
      default:
        out[`s${i}`] = { branch: [{ if: 'n > 3', then: next }], else: prev };
    }
  }
  return { flow: `gen-${steps}`, language: 'en', start: 's0', variables: { n: 0 }, prompts: { p: { text: 'Prompt', duration: '10m' } }, steps: out };
}

const PARK_FLOW: FlowDoc = {
  flow: 'park',
  language: 'en',
  start: 'a',
  defaults: { timeout: '10m', interDigitTimeout: '10m' },
  prompts: { pa: { text: 'Menu A', duration: '10m' }, pb: { text: 'Menu B', duration: '10m' } },
  steps: {
    a: { menu: { prompt: 'pa', options: { '1': 'b' } } },
    b: { menu: { prompt: 'pb', options: { '1': 'a' } } },
  },
};

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

function compileTimes(): void {
  for (const steps of [10, 100, 1000]) {
    const doc = generatedFlow(steps);
    compileFlow({ flow: doc }); // warm-up
    const runs = steps >= 1000 ? 5 : 20;
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) compileFlow({ flow: doc });
    const ms = (performance.now() - t0) / runs;
    console.log(`compile ${String(steps).padStart(5)} steps: ${fmt(ms, 2)} ms`);
  }
}

function startCalls(count: number): { engine: Engine; ports: BenchPort[] } {
  const services = { ...createInMemoryServices({ clock: systemClock }), records: nullSink };
  const engine = new Engine(services);
  engine.publish(compileFlow({ flow: PARK_FLOW }));
  const ports: BenchPort[] = [];
  for (let i = 0; i < count; i++) {
    const port = new BenchPort({ callId: `c${i}`, channel: `B/${i}`, caller: '100', dialled: '200', args: {} });
    engine.startCall(port);
    ports.push(port);
  }
  return { engine, ports };
}

function endCalls(engine: Engine, ports: BenchPort[]): void {
  for (const port of ports) port.listener?.({ type: 'hangup' });
  if (engine.liveCalls.size !== 0) throw new Error('calls left behind');
}

function latency(count: number): void {
  const { engine, ports } = startCalls(count);
  // Warm-up (JIT), not counted.
  for (let i = 0; i < 2000; i++) ports[i % count]!.press('1');
  const samples: number[] = [];
  const events = Math.max(20_000, count * 2);
  for (let i = 0; i < events; i++) {
    const port = ports[(i * 7919) % count]!;
    const before = port.commands;
    const t0 = process.hrtime.bigint();
    port.press('1');
    const t1 = process.hrtime.bigint();
    if (port.commands === before) throw new Error('a key produced no port command');
    samples.push(Number(t1 - t0) / 1000);
  }
  samples.sort((a, b) => a - b);
  console.log(`latency with ${String(count).padStart(6)} calls: p50 ${fmt(percentile(samples, 50), 1)} µs, p99 ${fmt(percentile(samples, 99), 1)} µs, max ${fmt(samples.at(-1)!, 0)} µs (${events} keys)`);
  endCalls(engine, ports);
}

function throughput(): void {
  const count = 1000;
  const { engine, ports } = startCalls(count);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    for (let i = 0; i < 1000; i++) ports[(n++ * 7919) % count]!.press('1');
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`throughput: ${Math.round(n / seconds).toLocaleString('en')} key events/s on one core (${count} calls)`);
  endCalls(engine, ports);
}

function heapPerCall(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    console.log('heap per call: run with `node --expose-gc --import tsx bench/engine.ts` to measure');
    return;
  }
  const count = 10_000;
  const services = { ...createInMemoryServices({ clock: systemClock }), records: nullSink };
  const engine = new Engine(services);
  engine.publish(compileFlow({ flow: PARK_FLOW }));
  const ports: BenchPort[] = [];
  // Warm-up so that code and shared structures are not counted.
  const warm = new BenchPort({ callId: 'warm', channel: 'B/w', caller: '1', dialled: '2', args: {} });
  engine.startCall(warm);
  warm.listener?.({ type: 'hangup' });
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < count; i++) {
    const port = new BenchPort({ callId: `h${i}`, channel: `B/${i}`, caller: '100', dialled: '200', args: {} });
    engine.startCall(port);
    ports.push(port);
  }
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  console.log(`heap per live call parked in a menu: ${fmt((after - before) / count / 1024, 2)} KiB (${count} calls)`);
  endCalls(engine, ports);
}

console.log(`node ${process.version}, ${process.platform} ${process.arch}`);
compileTimes();
latency(100);
latency(1000);
latency(10_000);
throughput();
heapPerCall();
