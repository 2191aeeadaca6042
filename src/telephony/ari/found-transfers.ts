/**
 * Reads, from Asterisk's channels and bridges, the transfers of calls that a previous process started. A restarted
 * engine holds no memory of them, but the ids tell: a call's n-th dial leg is `<call>-dial-<n>` and its bridge
 * `<call>-bridge-<n>`, and the leg's Stasis arguments and the bridge's name say whether the flow takes the caller
 * back when the department hangs up. Without this, a restart would hang up every agent conversation and leave returning callers in silence.
 */
import type { AriBridge, AriChannel } from './ari-types.js';

/** The name of a transfer bridge; Asterisk keeps it, so a later process can read it back. */
export const TRANSFER_BRIDGE = 'touchtone-transfer';
/** The name of a transfer bridge whose caller comes back to the flow when the department hangs up. */
export const RETURNING_TRANSFER_BRIDGE = 'touchtone-transfer-returns';

/** The argument our own dial legs carry into Stasis, so they are never mistaken for callers. */
export const DIAL_LEG_ARG = 'touchtone-dial';
/** A second argument of a dial leg whose caller comes back to the flow: known before the bridge exists. */
export const RETURNS_ARG = 'returns';

/** The id of a call's n-th dial leg. */
export const dialLegId = (callId: string, n: number): string => `${callId}-dial-${n}`;
/** The id of a call's n-th transfer bridge. */
export const transferBridgeId = (callId: string, n: number): string => `${callId}-bridge-${n}`;

/**
 * Where a call's latest transfer stands:
 * - `talking`: the caller and the department are in the transfer bridge;
 * - `agent-left`: the caller is in the bridge, the department is gone (it hung up while no engine listened);
 * - `answered`: the department answered, but the process died before it bridged the two;
 * - `ringing`: the department is being dialled.
 */
export type TransferPhase = 'talking' | 'agent-left' | 'answered' | 'ringing';

export interface FoundTransfer {
  n: number;
  legId: string;
  bridgeId: string;
  phase: TransferPhase;
  /** The flow takes the caller back when the department hangs up (read from the bridge's name). */
  returns: boolean;
}

const LEG_ID = /^(.+)-dial-([1-9][0-9]{0,5})$/;
const BRIDGE_ID = /^(.+)-bridge-([1-9][0-9]{0,5})$/;

/** Splits `<call>-<kind>-<n>`; undefined when `id` is not such an id. */
export function parseTransferId(id: string, kind: 'dial' | 'bridge'): { callId: string; n: number } | undefined {
  const m = (kind === 'dial' ? LEG_ID : BRIDGE_ID).exec(id);
  return m ? { callId: m[1]!, n: Number(m[2]) } : undefined;
}

function channelIds(bridge: AriBridge): Set<string> {
  return new Set((Array.isArray(bridge.channels) ? bridge.channels : []).filter((c): c is string => typeof c === 'string'));
}

/**
 * The latest transfer of each of `callers`, from the channel listing (`GET /channels`, by id) and the bridge
 * listing (`GET /bridges`). Calls with no dial leg and no transfer bridge are absent from the result.
 */
export function findTransfers(callers: ReadonlySet<string>, channels: ReadonlyMap<string, AriChannel>, bridges: readonly AriBridge[]): Map<string, FoundTransfer> {
  const latestBridge = new Map<string, { n: number; bridge: AriBridge }>();
  for (const bridge of bridges) {
    if (typeof bridge?.id !== 'string' || (bridge.name !== TRANSFER_BRIDGE && bridge.name !== RETURNING_TRANSFER_BRIDGE)) continue;
    const parsed = parseTransferId(bridge.id, 'bridge');
    if (!parsed || !callers.has(parsed.callId) || !channelIds(bridge).has(parsed.callId)) continue;
    if ((latestBridge.get(parsed.callId)?.n ?? 0) < parsed.n) latestBridge.set(parsed.callId, { n: parsed.n, bridge });
  }
  const latestLeg = new Map<string, { n: number; leg: AriChannel }>();
  for (const [id, leg] of channels) {
    const parsed = parseTransferId(id, 'dial');
    if (!parsed || !callers.has(parsed.callId)) continue;
    if ((latestLeg.get(parsed.callId)?.n ?? 0) < parsed.n) latestLeg.set(parsed.callId, { n: parsed.n, leg });
  }

  const found = new Map<string, FoundTransfer>();
  for (const callId of callers) {
    const bridged = latestBridge.get(callId);
    const dialled = latestLeg.get(callId);
    if (bridged && (!dialled || dialled.n <= bridged.n)) {
      const legId = dialLegId(callId, bridged.n);
      const agentIn = channels.has(legId) && channelIds(bridged.bridge).has(legId);
      found.set(callId, { n: bridged.n, legId, bridgeId: bridged.bridge.id!, phase: agentIn ? 'talking' : 'agent-left', returns: bridged.bridge.name === RETURNING_TRANSFER_BRIDGE });
    } else if (dialled) {
      const returns = (dialled.leg.dialplan?.app_data ?? '').split(/[,|]/).includes(RETURNS_ARG);
      found.set(callId, { n: dialled.n, legId: dialLegId(callId, dialled.n), bridgeId: transferBridgeId(callId, dialled.n), phase: dialled.leg.state === 'Up' ? 'answered' : 'ringing', returns });
    }
  }
  return found;
}
