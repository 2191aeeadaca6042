/**
 * The benchmarks `npm run bench` runs, how each is started, and how its figures are read from its text output.
 */

/** One benchmark script. */
export interface Bench {
  name: 'validate' | 'engine' | 'store' | 'ari';
  /** What it measures, for the report. */
  about: string;
  /** The command a reader types to get the same figures. */
  command: string;
  argv: string[];
  timeoutMs: number;
}

/** One figure read from a benchmark's output. */
export interface Figure {
  label: string;
  value: string;
}

/** A benchmark that ran, with what it printed. */
export interface BenchRun {
  bench: Bench;
  output: string;
  code: number;
  timedOut: boolean;
  seconds: number;
  figures: Figure[];
}

const tsx = (script: string, ...rest: string[]): string[] => [process.execPath, '--expose-gc', '--import', 'tsx', script, ...rest];

/** In the order they run. Time limits keep the whole `npm run bench` within about five minutes. */
export const BENCHES: Bench[] = [
  {
    name: 'validate',
    about: 'load + schema + meaning checks of generated flows',
    command: 'npx tsx bench/validate.ts',
    argv: tsx('bench/validate.ts'),
    timeoutMs: 60_000,
  },
  {
    name: 'engine',
    about: 'compile time, key → port command latency, throughput and heap per call (no telephony, no store)',
    command: 'node --expose-gc --import tsx bench/engine.ts',
    argv: tsx('bench/engine.ts'),
    timeoutMs: 90_000,
  },
  {
    name: 'store',
    about: 'call-record events per second into a SQLite file, and the longest event-loop block meanwhile',
    command: 'npm run bench:store   (npx tsx bench/store.ts --rate 50000 --seconds 5)',
    argv: tsx('bench/store.ts'),
    timeoutMs: 60_000,
  },
  {
    name: 'ari',
    about: 'ARI adapter against the fake ARI (in a worker thread): key event in → DELETE /playbacks out, inside the adapter and end to end',
    command: 'npm run bench:ari   (npx tsx bench/ari.ts --calls 1000 --keys 5)',
    argv: tsx('bench/ari.ts'),
    timeoutMs: 120_000,
  },
];

/** Every match of `re` in `text`, as a figure built by `make`. */
function each(text: string, re: RegExp, make: (m: RegExpExecArray) => Figure): Figure[] {
  const out: Figure[] = [];
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  for (let m = global.exec(text); m; m = global.exec(text)) out.push(make(m));
  return out;
}

/** The first match of `re`, or a figure that says it was not found (so a changed output shows, not hides). */
function one(text: string, label: string, re: RegExp, value: (m: RegExpExecArray) => string): Figure {
  const m = re.exec(text);
  return { label, value: m ? value(m) : 'not found (see the raw output)' };
}

const READERS: Record<Bench['name'], (text: string) => Figure[]> = {
  validate: (t) => [
    one(t, 'schema compile + first 10-step validation', /first 10-step validation: ([\d.]+) ms/, (m) => `${m[1]} ms`),
    ...each(t, /^\s*(\d+) steps \(([\d]+ KB)\): median ([\d.]+) ms, fastest ([\d.]+) ms/m, (m) => ({
      label: `validate a ${m[1]}-step flow (${m[2]})`,
      value: `median ${m[3]} ms, fastest ${m[4]} ms`,
    })),
  ],
  engine: (t) => [
    ...each(t, /^compile\s+(\d+) steps: ([\d.]+) ms/m, (m) => ({ label: `compile a ${m[1]}-step flow`, value: `${m[2]} ms` })),
    ...each(t, /^latency with\s+(\d+) calls: p50 ([\d.]+) µs, p99 ([\d.]+) µs, max (\d+) µs \((\d+) keys\)/m, (m) => ({
      label: `key → port command, ${Number(m[1]).toLocaleString('en')} live calls (${m[5]} keys)`,
      value: `p50 ${m[2]} µs, p99 ${m[3]} µs, max ${m[4]} µs`,
    })),
    one(t, 'key events per second (one core, 1,000 calls)', /throughput: ([\d,]+) key events\/s/, (m) => m[1]!),
    one(t, 'heap per live call parked in a menu', /heap per live call parked in a menu: ([\d.]+ KiB) \((\d+) calls\)/, (m) => `${m[1]} (${m[2]} calls)`),
  ],
  store: (t) => [
    one(t, 'store throughput (sustained, written)', /sustained\s+([\d,]+) events\/s/, (m) => `${m[1]} events/s`),
    one(t, 'rows lost', /lost (\d+)/, (m) => m[1]!),
    one(t, 'longest event-loop block while writing', /event-loop block\s+max ([\d.]+) ms, p99 ([\d.]+) ms/, (m) => `max ${m[1]} ms, p99 ${m[2]} ms`),
    one(t, 'longest hold of the event loop by the store itself', /held the event loop at most ([\d.]+) ms/, (m) => `${m[1]} ms`),
    one(t, 'machine noise (same producer, no store)', /machine noise\s+max ([\d.]+) ms/, (m) => `max ${m[1]} ms`),
  ],
  ari: (t) => [
    one(t, 'ARI adapter: key event in → DELETE /playbacks out, paced (1,000 calls)', /adapter: [^:]*, paced [^:]*: n=(\d+)\s+p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[2]} ms, p99 ${m[3]} ms, max ${m[4]} ms (n=${m[1]})`),
    one(t, 'ARI adapter: key event in → DELETE /playbacks out, burst (1,000 at once)', /adapter: [^:]*, burst [^:]*: n=(\d+)\s+p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[2]} ms, p99 ${m[3]} ms, max ${m[4]} ms (n=${m[1]})`),
    one(t, 'ARI end to end: key written by the fake → DELETE received by the fake, paced (1,000 calls)', /paced [^:]*: n=(\d+)\s+p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[2]} ms, p99 ${m[3]} ms, max ${m[4]} ms (n=${m[1]})`),
    one(t, "ARI: the fake's event-loop delay during the paced run", /event-loop delay during the paced run: p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[1]} ms, p99 ${m[2]} ms, max ${m[3]} ms`),
    one(t, "ARI: the adapter's event-loop delay over both runs", /adapter's event-loop delay over both runs: p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[1]} ms, p99 ${m[2]} ms, max ${m[3]} ms`),
    one(t, 'ARI end to end: key written → DELETE received, burst (one key on all 1,000 calls at once)', /burst [^:]*: n=(\d+)\s+p50=([\d.]+) ms\s+p99=([\d.]+) ms\s+max=([\d.]+) ms/, (m) => `p50 ${m[2]} ms, p99 ${m[3]} ms, max ${m[4]} ms (n=${m[1]})`),
  ],
};

/** The figures of one benchmark's output. */
export function figuresOf(name: Bench['name'], output: string): Figure[] {
  return READERS[name](output);
}
