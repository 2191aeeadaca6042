import { describe, expect, it } from 'vitest';
import { loadFlowText } from '../src/flow/load.js';

const flow = (headers: string) => `flow: t
language: en
start: ask
prompts: { hi: { text: Hi } }
data:
  orders: { http: { url: "/orders/\${key}", headers: ${headers} } }
steps:
  ask: { input: { prompt: hi, digits: 6, into: order }, next: find }
  find: { lookup: { source: orders, key: "\${order}", into: o }, found: bye, notFound: bye, error: bye }
  bye: { hangup: [hi] }
`;

describe('validate: HTTP data sources', () => {
  it('reads secrets for headers from the server environment (`${env.NAME}`), not from the flow', () => {
    expect(loadFlowText(flow('{ Authorization: "Bearer ${env.SHOP_TOKEN}" }'), 't.yaml').diagnostics).toEqual([]);
  });

  it('still reports a variable the flow never sets', () => {
    const { diagnostics } = loadFlowText(flow('{ Authorization: "Bearer ${token}" }'), 't.yaml');
    expect(diagnostics.map((d) => d.code)).toEqual(['undefined-variable']);
  });
});
