/**
 * `touchtone graph flow.yaml`: prints the flow as a Mermaid flowchart (validated first, so the diagram shows a
 * flow that runs). `--markdown` wraps it in a fenced block for a README.
 */
import { relative } from 'node:path';
import type { Command } from 'commander';
import { EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';
import { formatDiagnostics, loadFlowFile } from '../flow/load.js';
import { mermaid } from '../graph/mermaid.js';

/** Runs `touchtone graph` and resolves to its exit code. */
export async function runGraphCommand(file: string, options: { markdown?: boolean }, io: CliIO): Promise<number> {
  const path = file.startsWith('/') ? file : `${io.cwd}/${file}`;
  const loaded = await loadFlowFile(path);
  if (!loaded.flow) {
    io.err(formatDiagnostics(loaded.diagnostics.filter((d) => d.severity === 'error'), loaded.sources, { displayPath: (f) => relative(io.cwd, f) || f }));
    return EXIT.failed;
  }
  const diagram = mermaid(loaded.flow);
  io.out(options.markdown ? '```mermaid\n' + diagram + '```' : diagram.trimEnd());
  return EXIT.ok;
}

/** Registers `touchtone graph`. */
export const registerGraph: RegisterCommand = (program: Command, io: CliIO, setExit) => {
  program
    .command('graph')
    .description('Print a flow as a Mermaid diagram: steps, options, timeout, invalid and error edges.')
    .argument('<flow>', 'the flow file')
    .option('--markdown', 'wrap the diagram in a ```mermaid block')
    .action(async (file: string, options: { markdown?: boolean }) => {
      setExit(await runGraphCommand(file, options, io));
    });
};
