import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FlowCatalog } from '../../src/server/flow-catalog.js';
import { createMemoryVersionRepo, type CompiledFlowLike, type FlowVersionRepo } from '../../src/server/contracts.js';
import { storeVersionRepo } from '../../src/server/store-adapters.js';
import { loadFlowText } from '../../src/flow/load.js';
import { openStore } from '../../src/store/index.js';
import { StepTraffic } from '../../src/server/step-traffic.js';
import type { Logger } from '../../src/runtime/services.js';

const GOOD = `flow: demo
language: en
start: main
prompts:
  hello: { text: "Hello. Press 1 for sales." }
  bye: { text: "Goodbye." }
steps:
  main:
    menu: { prompt: hello, options: { "1": bye } }
    exhausted: bye
  bye: { hangup: [bye] }
`;
const GOOD_V2 = GOOD.replace('Hello.', 'Welcome.');
const BAD = GOOD.replace('"1": bye', '"1": byee');

function setup(versions: FlowVersionRepo = createMemoryVersionRepo(), dir = mkdtempSync(join(tmpdir(), 'tt-flows-'))) {
  const published: CompiledFlowLike[] = [];
  const logged: { level: string; obj: object; msg?: string }[] = [];
  const logger: Logger = {
    debug: () => undefined,
    info: (obj, msg) => logged.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => logged.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => logged.push({ level: 'error', obj, msg }),
  };
  const traffic = new StepTraffic();
  let t = 1000;
  const catalog = new FlowCatalog({
    dir,
    engine: { publish: (f) => void published.push(f) },
    load: (text, file) => loadFlowText(text, file),
    compile: (loaded, version) => ({ name: loaded.flow.flow, version, file: loaded.file, doc: loaded.flow }),
    versions,
    logger,
    traffic,
    now: () => (t += 1000),
  });
  return { catalog, published, logged, dir, traffic, versions };
}

describe('FlowCatalog', () => {
  it('loads the folder, skipping scenario files, and runs version 1', async () => {
    const { catalog, published, dir } = setup();
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    writeFileSync(join(dir, 'demo.test.yaml'), 'flow: demo\ncalls: []\n');
    expect(await catalog.loadAll()).toBe(1);
    expect(published.map((f) => `${f.name}@${f.version}`)).toEqual(['demo@1']);
    expect(catalog.list()).toEqual([expect.objectContaining({ name: 'demo', state: 'ok', version: '1', versionCount: 1, errors: 0 })]);
  });

  it('keeps the good version running when an edit does not validate, and logs the error with its position', async () => {
    const { catalog, published, logged, dir } = setup();
    const file = join(dir, 'demo.yaml');
    writeFileSync(file, GOOD);
    await catalog.loadAll();
    writeFileSync(file, BAD);
    const result = await catalog.loadFile(file);
    expect(result?.ok).toBe(false);
    expect(published).toHaveLength(1);
    const detail = catalog.get('demo')!;
    expect(detail).toMatchObject({ state: 'stale', version: '1', errors: 1 });
    expect(detail.diagnostics[0]).toMatchObject({ code: 'unknown-step', range: { start: { line: 9 } } });
    expect(detail.source).toBe(BAD);
    const error = logged.find((l) => l.level === 'error')!;
    expect(error.msg).toBe('flow `demo` not reloaded: 1 error(s); version 1 keeps running');
    expect(JSON.stringify(error.obj)).toContain(`${file}:9:`);
    // Fixing the file publishes version 2 and clears the error.
    writeFileSync(file, GOOD_V2);
    await catalog.loadFile(file);
    expect(catalog.get('demo')).toMatchObject({ state: 'ok', version: '2', errors: 0 });
    expect(published.map((f) => f.version)).toEqual(['1', '2']);
  });

  it('publishes through the API with author and note, writes the file, and ignores its own write', async () => {
    const { catalog, published, dir } = setup();
    const file = join(dir, 'demo.yaml');
    writeFileSync(file, GOOD);
    await catalog.loadAll();
    const result = await catalog.publish('demo', GOOD_V2, { by: 'ana', note: 'friendlier greeting' });
    expect(result).toMatchObject({ ok: true, version: { version: '2', publishedBy: 'ana', note: 'friendlier greeting', current: true } });
    expect(readFileSync(file, 'utf8')).toBe(GOOD_V2);
    expect(await catalog.loadFile(file)).toBeUndefined();
    expect(published).toHaveLength(2);
    // An author who edits the file away and back again is heard both times.
    writeFileSync(file, GOOD);
    await catalog.loadFile(file);
    writeFileSync(file, GOOD_V2);
    await catalog.loadFile(file);
    expect(catalog.get('demo')!.version).toBe('4');
    const same = await catalog.publish('demo', GOOD_V2, { by: 'ana' });
    expect(same).toMatchObject({ ok: true, unchanged: true, version: { version: '4' } });
    const versions = catalog.get('demo')!.versions;
    expect(versions.map((v) => [v.version, v.current, v.publishedBy])).toEqual([
      ['4', true, 'file'],
      ['3', false, 'file'],
      ['2', false, 'ana'],
      ['1', false, 'file'],
    ]);
  });

  it('refuses an invalid publish and a publish under another name', async () => {
    const { catalog, published, dir } = setup();
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    await catalog.loadAll();
    const bad = await catalog.publish('demo', BAD, { by: 'api' });
    expect(bad.ok).toBe(false);
    const renamed = await catalog.publish('other', GOOD, { by: 'api' });
    expect(renamed.ok).toBe(false);
    expect(!renamed.ok && renamed.diagnostics.map((d) => d.code)).toEqual(['flow-name-mismatch']);
    expect(published).toHaveLength(1);
    expect(catalog.get('demo')!.version).toBe('1');
  });

  it('refuses a second file with the same flow name, naming both files; a renamed file takes over', async () => {
    const { catalog, published, logged, dir } = setup();
    writeFileSync(join(dir, 'a.yaml'), GOOD);
    writeFileSync(join(dir, 'b.yaml'), GOOD_V2);
    expect(await catalog.loadAll()).toBe(1);
    expect(published.map((f) => `${f.name}@${f.version}@${f.file}`)).toEqual([`demo@1@${join(dir, 'a.yaml')}`]);
    const detail = catalog.get('demo')!;
    expect(detail).toMatchObject({ file: 'a.yaml', version: '1', state: 'stale', errors: 1 });
    expect(detail.diagnostics).toEqual([expect.objectContaining({ code: 'flow-name-duplicate', file: 'b.yaml', message: 'The flow `demo` is already served from `a.yaml`, so this file is not loaded.' })]);
    // The text shown under a.yaml is a.yaml's, not the rival's.
    expect(detail.source).toBe(GOOD);
    expect(logged.find((l) => l.level === 'error')!.msg).toBe('flow `demo` not reloaded: 1 error(s); version 1 keeps running');
    // Once a.yaml is gone, b.yaml is the flow's file.
    rmSync(join(dir, 'a.yaml'));
    await catalog.loadFile(join(dir, 'b.yaml'));
    expect(catalog.get('demo')).toMatchObject({ file: 'b.yaml', version: '2', state: 'ok' });
  });

  it('rolls back in one call, as a new version with the old text', async () => {
    const { catalog, published, dir } = setup();
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    await catalog.loadAll();
    await catalog.publish('demo', GOOD_V2, { by: 'ana' });
    const back = await catalog.rollback('demo', '1', { by: 'bob' });
    expect(back).toMatchObject({ ok: true, version: { version: '3', publishedBy: 'bob', note: 'rollback to version 1' } });
    expect(published.at(-1)!.doc).toEqual(published[0]!.doc);
    expect(readFileSync(join(dir, 'demo.yaml'), 'utf8')).toBe(GOOD);
    expect(await catalog.rollback('demo', '9', { by: 'bob' })).toBeUndefined();
  });

  it('keeps versions in the store across restarts, reusing the id of an unchanged file', async () => {
    const dbDir = mkdtempSync(join(tmpdir(), 'tt-db-'));
    const path = join(dbDir, 'tt.db');
    const dir = mkdtempSync(join(tmpdir(), 'tt-flows-'));
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    let store = openStore({ path });
    const first = setup(storeVersionRepo(store.flowVersions, () => join(dir, 'demo.yaml')), dir);
    await first.catalog.loadAll();
    await first.catalog.publish('demo', GOOD_V2, { by: 'ana', note: 'n' });
    await store.close();
    store = openStore({ path });
    const second = setup(storeVersionRepo(store.flowVersions, () => join(dir, 'demo.yaml')), dir);
    await second.catalog.loadAll();
    expect(second.published.map((f) => f.version)).toEqual(['2']);
    expect(second.catalog.get('demo')!.versions.map((v) => `${v.version}:${v.publishedBy}:${v.note ?? ''}`)).toEqual(['2:ana:n', '1:file:loaded from demo.yaml']);
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    await second.catalog.loadFile(join(dir, 'demo.yaml'));
    expect(second.catalog.get('demo')!.version).toBe('3');
    await store.close();
  });

  it('draws the graph of a version with its traffic', async () => {
    const { catalog, dir, traffic, versions } = setup();
    writeFileSync(join(dir, 'demo.yaml'), GOOD);
    await catalog.loadAll();
    traffic.entered('demo', '1', 'main');
    traffic.entered('demo', '1', 'main');
    traffic.dropped('demo', '1', 'main');
    const graph = (await catalog.graph('demo'))!;
    expect(graph.start).toBe('main');
    expect(graph.nodes.find((n) => n.id === 'main')).toMatchObject({ kind: 'menu', visits: 2, dropped: 1 });
    expect(graph.nodes.find((n) => n.id === 'bye')).toMatchObject({ kind: 'hangup', visits: 0, terminal: true });
    expect(graph.edges).toContainEqual({ from: 'main', to: 'bye', label: 'option 1' });
    expect(await catalog.graph('nope')).toBeUndefined();
    // An older version is drawn from its saved text; a version that never was is undefined.
    await catalog.publish('demo', GOOD_V2.replace('"1": bye', '"2": bye'), { by: 'ana' });
    expect((await catalog.graph('demo', '1'))!.edges).toContainEqual({ from: 'main', to: 'bye', label: 'option 1' });
    expect((await catalog.graph('demo'))!.edges).toContainEqual({ from: 'main', to: 'bye', label: 'option 2' });
    expect(await catalog.graph('demo', '999')).toBeUndefined();
    // A version saved by an older Touchtone that today's checks refuse (`01:` is now `numeric-key`) is still drawn.
    versions.save({ flow: 'demo', version: '0', hash: 'old', source: GOOD.replace('"1": bye', '01: bye'), file: join(dir, 'demo.yaml'), publishedAt: 1, publishedBy: 'old' });
    expect((await catalog.graph('demo', '0'))!.edges).toContainEqual({ from: 'main', to: 'bye', label: 'option 1' });
  });

  it('validates posted text without publishing it', async () => {
    const { catalog, published } = setup();
    expect(await catalog.validate(GOOD, 'posted.yaml')).toEqual({ valid: true, diagnostics: [] });
    const bad = await catalog.validate(BAD, 'posted.yaml');
    expect(bad.valid).toBe(false);
    expect(bad.diagnostics[0]!.code).toBe('unknown-step');
    expect(published).toHaveLength(0);
  });

  it('makes a new version of a flow when a sub-flow it uses changes', async () => {
    const { catalog, published, dir } = setup();
    const sub = (text: string) => `flow: greet\nlanguage: en\nparams: {}\nstart: say\nprompts: { hi: { text: "${text}" } }\nsteps:\n  say: { play: [hi], next: done }\n  done: { return: true }\n`;
    writeFileSync(join(dir, 'greet.yaml'), sub('Hi.'));
    writeFileSync(join(dir, 'main.yaml'), 'flow: main\nlanguage: en\nstart: greet\nprompts: { bye: { text: "Bye." } }\nsteps:\n  greet: { subflow: { file: greet.yaml }, next: end }\n  end: { hangup: [bye] }\n');
    await catalog.loadAll();
    expect(catalog.get('main')).toMatchObject({ state: 'ok', version: '1' });
    writeFileSync(join(dir, 'greet.yaml'), sub('Hello there.'));
    await catalog.loadFile(join(dir, 'greet.yaml'));
    expect(catalog.get('main')).toMatchObject({ state: 'ok', version: '2' });
    expect(catalog.get('main')!.versions[0]).toMatchObject({ version: '2', note: 'sub-flow greet.yaml edited' });
    expect(published.map((f) => `${f.name}@${f.version}`)).toEqual(['main@1', 'main@2']);
    expect(catalog.list().map((f) => f.name)).toEqual(['main']);
  });

  it("knows the schedules of a flow's sub-flows, which run too, for hours overrides", async () => {
    const { catalog, dir } = setup();
    const hours = (name: string) => `hours: { ${name}: { timezone: Europe/Berlin, weekly: { mon-fri: "08:00-18:00" } } }\n`;
    writeFileSync(join(dir, 'open.yaml'), `flow: open\nlanguage: en\nparams: {}\nstart: check\n${hours('desk')}steps:\n  check: { hours: desk, open: done, closed: done }\n  done: { return: true }\n`);
    writeFileSync(join(dir, 'main.yaml'), `flow: main\nlanguage: en\nstart: open\n${hours('office')}prompts: { bye: { text: "Bye." } }\nsteps:\n  open: { subflow: { file: open.yaml }, next: office }\n  office: { hours: office, open: end, closed: end }\n  end: { hangup: [bye] }\n`);
    await catalog.loadAll();
    expect(catalog.get('main')).toMatchObject({ state: 'ok' });
    expect(catalog.schedules()).toEqual(['desk', 'office']);
  });
});
