/**
 * The proof the README promises: every flow in `flows/` and `examples/` passes its scenarios with 100 % path
 * coverage. This runs exactly what `touchtone test --min-coverage 100 flows examples` runs, in-process.
 */
import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { captureIO } from './capture-io.js';

it('touchtone test --min-coverage 100 flows examples passes', async () => {
  const io = captureIO();
  const code = await main(['test', '--min-coverage', '100', 'flows', 'examples'], io);
  expect(code, io.text() + io.stderr.join('\n')).toBe(0);
  expect(io.text()).toMatch(/acme-hotline .*: 100% covered/);
  // The shared sub-flow is covered through the clinic's scenarios.
  expect(io.text()).toMatch(/choose-language \(examples\/clinic\/choose-language\.yaml\): 100% covered/);
}, 120_000);
