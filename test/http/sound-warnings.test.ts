import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadFlowText } from '../../src/flow/load.js';
import { soundWarnings } from '../../src/server/sound-warnings.js';

const FLOW = `flow: demo
language: en
start: hi
prompts:
  hello: { sound: demo/hello, text: "Hello." }
  bye: { sound: demo/bye, text: "Goodbye." }
steps:
  hi: { play: [hello], next: end }
  end: { hangup: [bye] }
`;

describe('soundWarnings', () => {
  it('warns about each sound missing from the sounds folder, at its prompt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tt-sounds-'));
    mkdirSync(join(dir, 'en/demo'), { recursive: true });
    writeFileSync(join(dir, 'en/demo/hello.wav'), '');
    const loaded = loadFlowText(FLOW, 'flows/demo.yaml');
    const warnings = soundWarnings(loaded, dir);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'sound-missing', severity: 'warning', message: `The sound \`demo/bye\` for language \`en\` is not in \`${dir}\`.`, range: { start: { line: 6 } } });
  });
});
