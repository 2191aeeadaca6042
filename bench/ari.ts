/**
 * ARI adapter benchmark: prints figures, asserts nothing.
 *
 *   npm run bench:ari                 key event in → ARI request out, against the fake ARI, 1,000 simultaneous calls
 *   npm run bench:ari -- --real       key event → PlaybackStarted on a real Asterisk (TOUCHTONE_TEST_ARI_URL,
 *                                     TOUCHTONE_TEST_ARI_USER, TOUCHTONE_TEST_ARI_PASSWORD), 500 calls by default
 *   options: --calls N  --keys N (keys per call); with --real, --key-rate N (keys per second over all calls; default
 *   one key per call per second, as in the fake mode) or --burst (every call's key at once); --asterisk-pid PID (an
 *   Asterisk on this machine) also prints the CPU Asterisk used while the keys were pressed. The real mode also
 *   splits each key's time at the moment its `POST /play` is written to the socket. --http: requests over HTTP
 *   only (`requestsOverWebsocket: false`); by default the hot path's requests go over the event websocket.
 *   --real --sip: the callers are SIPp (Debian's `sip-tester`) dialling Asterisk over SIP with RFC 4733 keys
 *   (`--sip-target host:port`, default 127.0.0.1:5060), instead of Local channels driven over ARI; --keys 1 to 9.
 *
 * Fake mode: every call plays a prompt that never ends; each key stops it (barge-in: `DELETE /playbacks/{id}`) and
 * starts the next prompt. Measured twice: inside the adapter, from the key event reaching the call's port until the
 * `DELETE` is written to its socket (the issue's "key event in → ARI request out"); and end to end, from the fake
 * writing `ChannelDtmfReceived` to the websocket until the `DELETE` arrives back at the fake, which adds
 * both event loops' scheduling and the loopback network. By default the fake runs in a worker thread (its own event loop, as
 * Asterisk is its own process); `--same-process` runs it beside the adapter. Keys arrive paced (`--per-ms`, default
 * 1 key per ms across all calls: each caller presses a key every second), and once more as a burst of one key on
 * every call.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAriAdapter, type AriAdapter } from '../src/telephony/ari/index.js';
import { requestSent, type RequestSentMessage } from '../src/telephony/ari/rest-client.js';
import type { CallPort } from '../src/telephony/port.js';
import { FakeAri } from '../test/fakes/fake-ari/index.js';
import { AsteriskDriver, targetFromEnv } from '../test/integration/asterisk-driver.js';
import { writeCallerScenario } from './sip/caller.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const real = args.includes('--real');

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function report(label: string, samplesMs: number[]): void {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const fmt = (n: number): string => n.toFixed(3);
  console.log(`${label}: n=${sorted.length}  p50=${fmt(percentile(sorted, 50))} ms  p99=${fmt(percentile(sorted, 99))} ms  max=${fmt(sorted[sorted.length - 1] ?? NaN)} ms`);
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** When each key reached the adapter's port (by the playback id it stops), and how long until its DELETE was sent. */
const adapterKeyAt = new Map<string, number>();
const adapterSamples: number[] = [];

// "ARI request out" is when the DELETE is written to its socket (the event websocket, or a keep-alive HTTP
// connection with `--http`): the adapter's REST client announces each request on a diagnostics channel then.
const viaHttp = args.includes('--http');
requestSent.subscribe((message) => {
  const { method, path } = message as RequestSentMessage;
  if (method !== 'DELETE' || !path.startsWith('/playbacks/')) return;
  const id = decodeURIComponent(path.slice('/playbacks/'.length));
  const t0 = adapterKeyAt.get(id);
  if (t0 === undefined) return;
  adapterKeyAt.delete(id);
  adapterSamples.push(performance.now() - t0);
});

/** The adapter side: every call plays a prompt that never ends; a key stops it (barge-in) and starts the next. */
function bargeInOnKeys(ari: AriAdapter): void {
  let seq = 0;
  ari.onCall((port: CallPort) => {
    const id = port.facts.callId;
    let current = '';
    const playNext = (): void => {
      current = `${id}:p${++seq}`;
      port.play(current, [{ kind: 'sound', name: 'bench/menu' }]);
    };
    port.onEvent((event) => {
      if (event.type === 'key') {
        adapterKeyAt.set(current, performance.now());
        port.stopPlayback(current);
        playNext();
      }
    });
    playNext();
  });
}

interface FakeSideResult {
  paced: number[];
  burst: number[];
  /** The fake's event-loop delay during the paced run: p50, p99, max (ms). */
  lag: number[];
}

/** The Asterisk side: places the calls, presses keys (paced, then a burst) and times the DELETEs that answer them. */
async function pressKeysOnFake(fake: FakeAri, calls: number, keysPerCall: number, perMs: number): Promise<FakeSideResult> {
  const sentAt = new Map<string, number>(); // channel id → when its key was written
  const samples: number[] = [];
  fake.on('request', (r: { method: string; path: string }) => {
    if (r.method !== 'DELETE' || !r.path.startsWith('/ari/playbacks/')) return;
    const pb = decodeURIComponent(r.path.slice('/ari/playbacks/'.length));
    const channelId = pb.slice(0, pb.lastIndexOf(':'));
    const t0 = sentAt.get(channelId);
    if (t0 !== undefined) {
      samples.push(performance.now() - t0);
      sentAt.delete(channelId);
    }
  });
  const ids: string[] = [];
  for (let i = 0; i < calls; i++) ids.push(fake.placeCall({ caller: `555${i}`, args: ['bench'] }).id);
  while (fake.playbacks.size < calls) await tick();
  const press = (id: string): void => {
    sentAt.set(id, performance.now());
    fake.pressKey(id, '1');
  };
  const settled = async (): Promise<void> => {
    while (sentAt.size > 0 || fake.playbacks.size < calls) await tick();
  };
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  for (let round = 0; round < keysPerCall; round++) {
    for (let i = 0; i < ids.length; i += perMs) {
      for (let j = i; j < Math.min(ids.length, i + perMs); j++) press(ids[j]!);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await settled();
  }
  lag.disable();
  const paced = [...samples];
  samples.length = 0;
  for (const id of ids) press(id);
  await settled();
  return { paced, burst: [...samples], lag: [lag.percentile(50) / 1e6, lag.percentile(99) / 1e6, lag.max / 1e6] };
}

function reportFake(where: string, calls: number, keysPerCall: number, perMs: number, r: FakeSideResult): void {
  report(`key in → DELETE /playbacks out, paced ${perMs}/ms (${calls} calls × ${keysPerCall} keys)`, r.paced);
  console.log(`  ${where} event-loop delay during the paced run: p50=${r.lag[0]!.toFixed(3)} ms  p99=${r.lag[1]!.toFixed(3)} ms  max=${r.lag[2]!.toFixed(3)} ms`);
  report(`key in → DELETE /playbacks out, burst (one key on all ${calls} calls at once)`, r.burst);
}

const adapterFor = (url: string): AriAdapter =>
  createAriAdapter({ url, username: 'touchtone', password: 'bench', maxSockets: flag('--sockets', 16), playbackStartTimeoutMs: 60_000, requestsOverWebsocket: !viaHttp });

/** Starts the adapter and waits (at most 5 s) until its requests take the path this run measures. */
async function startAdapter(ari: AriAdapter): Promise<void> {
  await ari.start();
  const deadline = Date.now() + 5000;
  while (!viaHttp && ari.status().requestsVia !== 'websocket' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** `--same-process`: fake and adapter share one event loop. */
async function benchFake(calls: number, keysPerCall: number): Promise<void> {
  const perMs = flag('--per-ms', 1);
  const fake = await FakeAri.start({ password: 'bench', playbackMs: Infinity });
  fake.logRequests = false;
  const ari = adapterFor(fake.url);
  bargeInOnKeys(ari);
  await startAdapter(ari);
  console.log(`fake ARI in the same process: ${calls} simultaneous calls in Stasis, each playing a prompt; requests over ${ari.status().requestsVia}`);
  reportFake('shared', calls, keysPerCall, perMs, await pressKeysOnFake(fake, calls, keysPerCall, perMs));
  await ari.stop();
  await fake.close();
}

/** CPU a local process used since the call, as a share of one core (Linux `/proc`, clock ticks of 10 ms). */
function cpuMeter(pid: number): () => string {
  const ticks = (): number => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
  const t0 = ticks();
  const w0 = performance.now();
  return () => `${Math.round(((ticks() - t0) * 10 * 100) / (performance.now() - w0))}%`;
}

/** What the real modes measure on the adapter's side: key event in → `PlaybackStarted`, split where `POST /play` is written. */
interface KeyTimes {
  samples: number[];
  toRequest: number[];
  inAsterisk: number[];
  sentVia: Set<string>;
  /** Calls answered so far. */
  ready: Set<string>;
  failedPlaybacks: string[];
}

/** Answers every call; each key stops the prompt (as the engine does on barge-in) and starts the next. */
function timeKeys(ari: AriAdapter): KeyTimes {
  const times: KeyTimes = { samples: [], toRequest: [], inAsterisk: [], sentVia: new Set(), ready: new Set(), failedPlaybacks: [] };
  const keyAt = new Map<string, number>(); // playback id → when the key reached the adapter
  const writtenAt = new Map<string, number>();
  requestSent.subscribe((message) => {
    const { method, path, via } = message as RequestSentMessage;
    const id = method === 'POST' ? /\/play\/([^?]+)$/.exec(path)?.[1] : undefined;
    if (id !== undefined) {
      writtenAt.set(decodeURIComponent(id), performance.now());
      times.sentVia.add(via);
    }
  });
  let seq = 0;
  ari.onCall((port) => {
    let playing: string | undefined;
    port.onEvent((event) => {
      if (event.type === 'key') {
        if (playing) port.stopPlayback(playing);
        const pb = `${port.facts.callId}:k${++seq}`;
        playing = pb;
        keyAt.set(pb, performance.now());
        port.play(pb, [{ kind: 'sound', name: 'silence/1' }]);
      } else if (event.type === 'playback.finished' && event.outcome === 'failed') {
        times.failedPlaybacks.push(event.reason ?? 'failed');
      } else if (event.type === 'playback.started') {
        const t0 = keyAt.get(event.playbackId);
        const written = writtenAt.get(event.playbackId);
        if (t0 !== undefined) {
          const now = performance.now();
          times.samples.push(now - t0);
          keyAt.delete(event.playbackId);
          if (written !== undefined) {
            times.toRequest.push(written - t0);
            times.inAsterisk.push(now - written);
          }
        }
        writtenAt.delete(event.playbackId);
      }
    });
    port.answer();
    times.ready.add(port.facts.callId);
  });
  return times;
}

function reportReal(label: string, times: KeyTimes, lag: ReturnType<typeof monitorEventLoopDelay>, cpu: (() => string) | undefined, asteriskPid: number): void {
  report(label, times.samples);
  report(`  of that: key → POST /play written to its socket, over ${[...times.sentVia].join(' and ')} (this process)`, times.toRequest);
  report('  of that: POST /play written → PlaybackStarted received (Asterisk, loopback, this event loop)', times.inAsterisk);
  if (cpu) console.log(`  Asterisk (pid ${asteriskPid}) used ${cpu()} of one core while the keys were pressed (this machine has ${availableParallelism()})`);
  console.log(`  this process's event-loop delay: p50=${(lag.percentile(50) / 1e6).toFixed(3)} ms  p99=${(lag.percentile(99) / 1e6).toFixed(3)} ms  max=${(lag.max / 1e6).toFixed(3)} ms`);
  if (times.failedPlaybacks.length > 0) console.log(`  ${times.failedPlaybacks.length} playbacks failed, e.g. ${times.failedPlaybacks[0]}`);
}

const realAdapter = (target: NonNullable<ReturnType<typeof targetFromEnv>>): AriAdapter =>
  createAriAdapter({ ...target, maxSockets: 16, requestTimeoutMs: 10_000, playbackStartTimeoutMs: 10_000, requestsOverWebsocket: !viaHttp });

async function benchReal(calls: number, keysPerCall: number): Promise<void> {
  const target = targetFromEnv();
  if (!target) {
    console.log('--real needs TOUCHTONE_TEST_ARI_URL, TOUCHTONE_TEST_ARI_USER and TOUCHTONE_TEST_ARI_PASSWORD');
    process.exitCode = 2;
    return;
  }
  if (args.includes('--sip')) return benchSip(target, calls, keysPerCall);
  const driver = new AsteriskDriver(target);
  await driver.open();
  const ari = realAdapter(target);
  const times = timeKeys(ari);
  await startAdapter(ari);

  const legs: Array<{ callerLeg: string; ivrLeg: string }> = [];
  let failedStarts = 0;
  try {
    for (let i = 0; i < calls; i++) {
      legs.push(await driver.call('ivr'));
      if (i % 50 === 49) await driver.until(async () => times.ready.size >= i + 1, `${i + 1} calls up`, 30_000);
    }
    await driver.until(async () => times.ready.size >= calls, 'all calls up', 30_000);
    const burst = args.includes('--burst');
    const keyRate = flag('--key-rate', calls);
    console.log(`real Asterisk: ${calls} simultaneous calls in Stasis, requests over ${ari.status().requestsVia}; keys ${burst ? 'as a burst, one per call' : `paced at ${keyRate}/s over all calls`}`);
    const lag = monitorEventLoopDelay({ resolution: 1 });
    lag.enable();
    const asteriskPid = flag('--asterisk-pid', 0);
    const cpu = asteriskPid ? cpuMeter(asteriskPid) : undefined;
    for (let round = 0; round < keysPerCall; round++) {
      const before = times.samples.length;
      if (burst) {
        for (const { callerLeg } of legs) await driver.press(callerLeg, '1');
      } else {
        // Keys leave at their scheduled times, whatever Asterisk's answers take: callers do not wait for each other.
        const started = performance.now();
        const pressed = legs.map(({ callerLeg }, i) => {
          const due = started + (i * 1000) / keyRate;
          return new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, due - performance.now()))).then(() => driver.press(callerLeg, '1'));
        });
        await Promise.allSettled(pressed);
      }
      try {
        await driver.until(async () => times.samples.length >= before + calls, 'playbacks started', 30_000);
      } catch {
        failedStarts += before + calls - times.samples.length;
      }
    }
    lag.disable();
    reportReal(`key (ChannelDtmfReceived) → PlaybackStarted, real Asterisk (${calls} calls × ${keysPerCall} keys)`, times, lag, cpu, asteriskPid);
    if (failedStarts > 0) console.log(`  ${failedStarts} keys produced no PlaybackStarted within 30 s`);
  } finally {
    // Bounded clean-up: never leave a thousand Local channels behind.
    await Promise.all(legs.map(({ callerLeg }) => driver.hangup(callerLeg)));
    await ari.stop();
    driver.close();
  }
}

/**
 * `--real --sip`: the callers are SIPp (Debian's `sip-tester`) on this machine, dialling Asterisk's SIP port
 * (`--sip-target`, default 127.0.0.1:5060; the shipped pjsip.conf's `trunk` takes 127.0.0.1 into `touchtone-entry`).
 * They are placed over one second, so their keys, a second apart, arrive paced at `calls` per second.
 */
async function benchSip(target: NonNullable<ReturnType<typeof targetFromEnv>>, calls: number, keysPerCall: number): Promise<void> {
  const sipTarget = args.includes('--sip-target') ? (args[args.indexOf('--sip-target') + 1] ?? '') : '127.0.0.1:5060';
  const ari = realAdapter(target);
  const times = timeKeys(ari);
  await startAdapter(ari);
  const dir = mkdtempSync(join(tmpdir(), 'tt-sipp-'));
  const scenario = join(dir, 'caller.xml');
  // Every call is up well before the first key: placing them takes a second, answering them a little more.
  const firstKeyMs = 3000 + Math.ceil(calls / 100) * 500;
  writeCallerScenario(scenario, keysPerCall, firstKeyMs);
  const asteriskPid = flag('--asterisk-pid', 0);
  console.log(`real Asterisk, SIP callers (SIPp): ${calls} calls placed over 1 s to ${sipTarget}, requests over ${ari.status().requestsVia}; keys paced at ${calls}/s over all calls`);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  let cpu: (() => string) | undefined;
  const keysFrom = setTimeout(() => {
    lag.enable();
    cpu = asteriskPid ? cpuMeter(asteriskPid) : undefined;
  }, firstKeyMs);
  const sipp = spawn('sipp', [sipTarget, '-sf', scenario, '-s', '5551000', '-m', String(calls), '-l', String(calls), '-r', String(calls), '-rp', '1000', '-i', '127.0.0.1', '-p', '5070', '-mp', '6000', '-nostdin', '-timeout', `${Math.ceil(firstKeyMs / 1000) + keysPerCall + 30}s`, '-timeout_error'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sipp.stderr.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
  const exitCode = await new Promise<number | null>((resolve) => {
    sipp.once('exit', resolve);
    sipp.once('error', (err: NodeJS.ErrnoException) => {
      stderr += err.code === 'ENOENT' ? '`sipp` is not installed: apt-get install sip-tester' : err.message;
      resolve(-1);
    });
  });
  clearTimeout(keysFrom);
  lag.disable();
  reportReal(`key (ChannelDtmfReceived) → PlaybackStarted, real Asterisk, SIP callers (${calls} calls × ${keysPerCall} keys)`, times, lag, cpu, asteriskPid);
  const expected = calls * keysPerCall;
  if (times.samples.length < expected) console.log(`  ${expected - times.samples.length} keys produced no PlaybackStarted (SIPp answered ${times.ready.size} calls)`);
  if (exitCode !== 0) console.log(`  SIPp exited with ${exitCode}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''} (0: every call succeeded; see ${dir})`);
  else rmSync(dir, { recursive: true, force: true });
  await ari.stop();
}


/** Worker side: the fake ARI with its own event loop. */
async function fakeWorker(): Promise<void> {
  const { calls, keysPerCall, perMs } = workerData as { calls: number; keysPerCall: number; perMs: number };
  const port = parentPort!;
  const fake = await FakeAri.start({ password: 'bench', playbackMs: Infinity });
  fake.logRequests = false;
  port.postMessage({ url: fake.url });
  await new Promise((resolve) => port.once('message', resolve)); // the adapter is connected
  port.postMessage(await pressKeysOnFake(fake, calls, keysPerCall, perMs));
  await new Promise((resolve) => port.once('message', resolve));
  await fake.close();
}

/** Default: the fake in a worker thread, so only the adapter runs on this event loop. */
async function benchFakeInWorker(calls: number, keysPerCall: number): Promise<void> {
  const perMs = flag('--per-ms', 1);
  // The worker runs this same file; under tsx the worker must register tsx's loader before importing it.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { calls, keysPerCall, perMs } });
  const next = (): Promise<unknown> => new Promise((resolve) => worker.once('message', resolve));
  const { url } = (await next()) as { url: string };
  const ari = adapterFor(url);
  bargeInOnKeys(ari);
  await startAdapter(ari);
  const results = next();
  const lagMain = monitorEventLoopDelay({ resolution: 1 });
  lagMain.enable();
  worker.postMessage('go');
  console.log(`fake ARI in a worker thread: ${calls} simultaneous calls in Stasis, each playing a prompt; requests over ${ari.status().requestsVia}`);
  adapterSamples.length = 0;
  reportFake("fake's", calls, keysPerCall, perMs, (await results) as FakeSideResult);
  lagMain.disable();
  // The paced keys all complete before the burst starts, so the first calls × keys samples are the paced ones.
  const paced = calls * keysPerCall;
  report(`adapter: key event in → DELETE /playbacks written to its socket, paced (${calls} calls × ${keysPerCall} keys)`, adapterSamples.slice(0, paced));
  report(`adapter: key event in → DELETE /playbacks written to its socket, burst (one key on all ${calls} calls at once)`, adapterSamples.slice(paced));
  console.log(`  adapter's event-loop delay over both runs: p50=${(lagMain.percentile(50) / 1e6).toFixed(3)} ms  p99=${(lagMain.percentile(99) / 1e6).toFixed(3)} ms  max=${(lagMain.max / 1e6).toFixed(3)} ms`);
  await ari.stop();
  worker.postMessage('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
}

if (!isMainThread) await fakeWorker();
else if (real) await benchReal(flag('--calls', 500), flag('--keys', 2));
else if (args.includes('--same-process')) await benchFake(flag('--calls', 1000), flag('--keys', 5));
else await benchFakeInWorker(flag('--calls', 1000), flag('--keys', 5));
