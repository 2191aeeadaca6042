/**
 * Which files in a folder are flows: `*.yaml` and `*.yml`, except `*.test.yaml` scenario files, whose text
 * has a top-level `flow:` or `steps:` key (so data files and configs are left alone).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

const FLOW_FILE = /\.ya?ml$/i;
const SCENARIO_FILE = /\.test\.ya?ml$/i;
const FLOW_KEY = /^(flow|steps)\s*:/m;

/** Whether a file name could hold a flow (by name only). */
export function isFlowFileName(name: string): boolean {
  return FLOW_FILE.test(name) && !SCENARIO_FILE.test(name);
}

/** Every flow file under a folder, sorted, skipping `node_modules` and hidden folders. */
export async function findFlowFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      out.push(...(await findFlowFiles(path)));
    } else if (entry.isFile() && isFlowFileName(entry.name)) {
      const info = await stat(path);
      // Very large files are still flows to report on (file-too-large); only peek at the start of them.
      const head = (await readFile(path)).subarray(0, 64 * 1024).toString('utf8');
      if (FLOW_KEY.test(head) || info.size === 0) out.push(path);
    }
  }
  return out;
}
