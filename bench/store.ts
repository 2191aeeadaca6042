/**
 * `npm run bench:store`: how many call-record events per second the store sustains, and the longest event-loop
 * block while it writes. Targets: at least 20,000 events/s, and no block over 20 ms.
 *
 * A producer offers events at a fixed rate in small slices (as calls would), while the batched writer flushes on
 * its own timer. Options: `--rate 50000` (events/s offered), `--seconds 5`, `--db path` (default: a temp file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { openStore } from '../src/store/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** Event-loop delay with the same producer rhythm but no store: the machine's own noise (other processes, GC). */
async function baseline(seconds: number): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const end = performance.now() + seconds * 1000;
  const sink: unknown[] = [];
  await new Promise<void>((resolve) => {
    const tick = () => {
      for (let i = 0; i < 250; i++) sink.push({ at: Date.now(), type: 'step', step: `s${i}`, kind: 'menu' });
      sink.length = 0;
      if (performance.now() < end) setTimeout(tick, 5);
      else resolve();
    };
    tick();
  });
  histogram.disable();
  return histogram.max / 1e6;
}

async function main(): Promise<void> {
  const noiseMs = await baseline(arg('baseline', 2));
  const rate = arg('rate', 50_000);
  const seconds = arg('seconds', 5);
  const dbArg = process.argv.indexOf('--db');
  const dir = dbArg >= 0 ? undefined : mkdtempSync(join(tmpdir(), 'touchtone-bench-'));
  const path = dbArg >= 0 ? process.argv[dbArg + 1]! : join(dir!, 'bench.db');
  const store = openStore({ path, flushIntervalMs: 50 });
  const sink = store.records;

  const sliceMs = 5;
  const perSlice = Math.max(1, Math.round((rate * sliceMs) / 1000));
  const eventsPerCall = 20;
  let offered = 0;
  let startEndRows = 0;
  let call = 0;
  let inCall = eventsPerCall;
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  const started = performance.now();
  const deadline = started + seconds * 1000;

  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = Date.now();
      for (let i = 0; i < perSlice; i++) {
        if (inCall === eventsPerCall) {
          if (call > 0) sink.callEnded(`bench-${call}`, { kind: 'hungup', step: 'main' }, now);
          call++;
          startEndRows += call > 1 ? 2 : 1;
          inCall = 0;
          sink.callStarted({ callId: `bench-${call}`, channel: `PJSIP/b-${call}`, caller: '+4930123456', dialled: '100', flow: 'bench', version: '1', startedAt: now });
        }
        inCall++;
        sink.event(`bench-${call}`, inCall % 4 === 0 ? { at: now, type: 'key', step: 'main', digit: '1' } : { at: now, type: 'step', step: `s${inCall}`, kind: 'menu' });
        offered++;
      }
      if (performance.now() < deadline) setTimeout(tick, sliceMs);
      else resolve();
    };
    tick();
  });
  const produced = performance.now();
  await store.flush();
  const finished = performance.now();
  histogram.disable();
  const m = store.metrics();
  await store.close();
  if (dir) rmSync(dir, { recursive: true, force: true });

  const elapsedSec = (finished - started) / 1000;
  const maxBlockMs = histogram.max / 1e6;
  // Every row is an event of a call (its start, a trace entry, its end); the rate counts what reached the disk.
  const perSec = Math.round(m.written / elapsedSec);
  const lines = [
    `store bench: ${seconds}s at an offered ${rate.toLocaleString('en')} trace events/s (${perSlice} per ${sliceMs} ms slice), ${call.toLocaleString('en')} calls`,
    `  offered            ${(offered + startEndRows).toLocaleString('en')} events (${offered.toLocaleString('en')} trace entries, ${startEndRows.toLocaleString('en')} call starts and ends)`,
    `  written            ${m.written.toLocaleString('en')} in ${m.flushes} batches, lost ${m.lost.toLocaleString('en')}, retried ${m.retried}, WAL checkpoints ${m.checkpoints}`,
    `  sustained          ${perSec.toLocaleString('en')} events/s written; drain after producing ${(finished - produced).toFixed(0)} ms`,
    `  event-loop block   max ${maxBlockMs.toFixed(1)} ms, p99 ${(histogram.percentile(99) / 1e6).toFixed(1)} ms, mean ${(histogram.mean / 1e6).toFixed(1)} ms`,
    `  longest batch      ${m.longestWriteMs} ms to commit; held the event loop at most ${m.longestHoldMs} ms (rows prepared on the main thread, written in the write thread)`,
    `  machine noise      max ${noiseMs.toFixed(1)} ms event-loop delay with the producer alone (no store)`,
    `  targets            ≥ 20,000 events/s: ${perSec >= 20_000 && m.lost === 0 ? 'met' : 'MISSED'}; no block over 20 ms: ${maxBlockMs <= 20 ? 'met' : m.longestHoldMs <= 20 ? 'MISSED by the machine (the store held the loop at most ' + m.longestHoldMs + ' ms)' : 'MISSED'}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

void main();
