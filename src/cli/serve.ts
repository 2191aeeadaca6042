/**
 * `touchtone serve`: loads the configuration and every flow, then serves the admin API, the dashboard and its
 * browser phone (and Asterisk calls when ARI is configured) until SIGTERM or SIGINT.
 */
import type { Command } from 'commander';
import { relative } from 'node:path';
import { loadConfig, redactConfig } from '../config/load-config.js';
import { formatDiagnostics } from '../flow/format.js';
import { sourceFromText } from '../flow/source.js';
import { createLogger } from '../logging/logger.js';
import { startServer, type RunningServer } from '../server/start-server.js';
import { CliExit, EXIT, type CliIO } from './io.js';
import type { RegisterCommand } from './commands.js';

/** Failures of the environment that deserve one sentence, not a stack trace. */
const STARTUP_FAILURES = new Set(['listen-failed', 'store-open-failed']);

interface ServeOptions {
  config?: string;
  host?: string;
  port?: string;
  flows?: string;
  watch: boolean;
}

/** Command-line flags win over the environment, which wins over the file. */
function flagsAsEnv(options: ServeOptions, env: CliIO['env']): Record<string, string | undefined> {
  return {
    ...env,
    ...(options.host ? { TOUCHTONE_HTTP_HOST: options.host } : {}),
    ...(options.port ? { TOUCHTONE_HTTP_PORT: options.port } : {}),
    ...(options.flows ? { TOUCHTONE_FLOWS_DIR: options.flows } : {}),
  };
}

/**
 * Starts the server from CLI options; resolves with the running server (the caller decides when to stop it).
 * @example const server = await serve({ watch: true }, processIO);
 */
export async function serve(options: ServeOptions, io: CliIO): Promise<RunningServer> {
  const loaded = loadConfig({ cwd: io.cwd, file: options.config, env: flagsAsEnv(options, io.env) });
  if (!loaded.config) {
    const sources = loaded.file && loaded.source !== undefined ? [sourceFromText(loaded.file, loaded.source)] : [];
    // A problem with no file (a variable, an unreadable file) is the command's own, not a flow's.
    const diagnostics = loaded.diagnostics.map((d) => (d.file === undefined ? { ...d, file: 'touchtone serve' } : d));
    io.err(formatDiagnostics(diagnostics, sources, { color: io.isTTY, displayPath: (f) => (f === 'touchtone serve' ? f : relative(io.cwd, f) || f) }));
    io.err('touchtone serve: the configuration has errors; fix them and start again.');
    throw new CliExit(EXIT.failed);
  }
  const config = loaded.config;
  const logger = createLogger({ level: config.log.level, pretty: io.isTTY });
  logger.debug({ config: redactConfig(config), fromEnv: loaded.fromEnv, file: loaded.file }, 'configuration');
  let server: RunningServer;
  try {
    server = await startServer({ config, logger, watch: options.watch });
  } catch (error) {
    if (!STARTUP_FAILURES.has((error as { code?: string }).code ?? '')) throw error;
    io.err(`touchtone serve: error ${(error as { code: string }).code}: ${(error as Error).message}`);
    throw new CliExit(EXIT.failed);
  }
  io.out('');
  io.out(`  Touchtone is running. Dashboard: ${server.tokenGenerated ? `${server.url}#token=${server.token}` : server.url}`);
  io.out(server.tokenGenerated ? '  (a one-time admin token is in the link; set TOUCHTONE_TOKEN to choose your own)' : '  (sign in on the dashboard with your admin token)');
  io.out(config.ari.url ? `  Asterisk: ${config.ari.url} (app \`${config.ari.app}\`)` : '  No Asterisk configured: calls come from the browser phone. Set TOUCHTONE_ARI_URL to connect one.');
  io.out('');
  return server;
}

/** Registers `touchtone serve`; it runs until SIGTERM or SIGINT, then shuts down gracefully. */
export const registerServe: RegisterCommand = (program: Command, io: CliIO) => {
  program
    .command('serve')
    .description('Serve the flows in `flows/`: admin API, dashboard with a browser phone, and Asterisk over ARI when configured.')
    .option('-c, --config <file>', 'configuration file (default: touchtone.yaml when present)')
    .option('--host <address>', 'listen address (default 127.0.0.1)')
    .option('-p, --port <port>', 'listen port (default 8080)')
    .option('--flows <dir>', 'folder of flows to serve (default flows)')
    .option('--no-watch', 'do not reload flows when their files change')
    .action(async (options: ServeOptions) => {
      const server = await serve(options, io);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          void server.shutdown(signal).finally(resolve);
        };
        const onTerm = () => stop('SIGTERM');
        const onInt = () => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
    });
};
