/**
 * Builds a call's facts from a `StasisStart` (or a channel found on re-attach). All of it is hostile input: it is
 * cleaned and bounded here, and the flow is chosen only among names that look like flow names.
 */
import type { CallFacts } from '../port.js';
import type { AriChannel } from './ari-types.js';
import { cleanValue, isFlowName, isLanguage } from './sanitize.js';

const MAX_ARGS = 16;
const MAX_ARG_VALUE = 256;
const ARG_KEY = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

export interface FlowChoice {
  /** Dialled number → flow name. */
  routes?: Readonly<Record<string, string>>;
  /** The flow when neither the Stasis arguments nor the route map name one. */
  defaultFlow?: string;
}

/** Splits `Stasis()` application data (`touchtone,flow,k=v`) into the arguments after the app name. */
export function argsFromAppData(appData: string | undefined): string[] {
  if (!appData) return [];
  // Asterisk separates application arguments with `,` (or the legacy `|`); the first is the app name.
  return appData.split(/[,|]/).slice(1);
}

/**
 * Facts from a channel and its Stasis arguments. The first argument without `=` names the flow; `key=value`
 * arguments become `args`. Else the route map by dialled number, else the default flow.
 *
 * @example
 *   callFacts({ id: '1', caller: { number: '555' }, dialplan: { exten: '100' } }, ['sales', 'vip=1'], {})
 *   // → { callId: '1', caller: '555', dialled: '100', flow: 'sales', args: { vip: '1' }, … }
 */
export function callFacts(channel: AriChannel, rawArgs: readonly unknown[], choice: FlowChoice): CallFacts {
  const args: Record<string, string> = Object.create(null) as Record<string, string>;
  let flow: string | undefined;
  for (const raw of rawArgs.slice(0, MAX_ARGS)) {
    if (typeof raw !== 'string') continue;
    const eq = raw.indexOf('=');
    if (eq < 0) {
      const name = raw.trim();
      if (flow === undefined && isFlowName(name)) flow = name;
      continue;
    }
    const key = raw.slice(0, eq).trim();
    if (!ARG_KEY.test(key)) continue;
    args[key] = cleanValue(raw.slice(eq + 1), MAX_ARG_VALUE);
  }
  const dialled = cleanValue(channel.dialplan?.exten, 64);
  if (flow === undefined && choice.routes && Object.prototype.hasOwnProperty.call(choice.routes, dialled)) {
    const routed = choice.routes[dialled];
    if (routed !== undefined && isFlowName(routed)) flow = routed;
  }
  flow ??= choice.defaultFlow;
  const language = cleanValue(channel.language, 16);
  const callerName = cleanValue(channel.caller?.name, 80);
  return {
    callId: cleanValue(channel.id, 128),
    channel: cleanValue(channel.name, 128),
    caller: cleanValue(channel.caller?.number, 64),
    ...(callerName ? { callerName } : {}),
    dialled,
    ...(isLanguage(language) ? { language } : {}),
    ...(flow !== undefined ? { flow } : {}),
    args: Object.freeze({ ...args }),
  };
}
