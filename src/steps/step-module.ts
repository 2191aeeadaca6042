/**
 * What every step kind provides. A step kind lives in one folder, `src/steps/<kind>/`:
 *
 * - `definition.ts`: the language half: its JSON Schema part (with a `description` on every property, for
 *   editors and the README), its edges to other steps, and its own meaning checks;
 * - `compile.ts`: the engine half: how the step becomes XState state config;
 * - `index.ts`: joins the two into a `StepModule`;
 * - tests beside them.
 *
 * `registry.ts` lists the modules, one line each. A test checks the registry, the schema and the docs agree.
 */
import type { StepDef, StepKind } from '../flow/types.js';
import type { StepDefinition } from './definition.js';
import type { StepCompiler } from '../compile/step-compiler.js';

/** An edge from a step to another step (or to a key action such as `back`). */
export interface StepEdge {
  /** What the edge is, as authors say it: `next`, `option 1`, `noInput`, `found`, `busy` … */
  label: string;
  /** The step (or `back` / `top` / `repeat`) it leads to. */
  target: string;
  /** JSON pointer, relative to the step, of the field that names the target (for diagnostics). */
  pointer: string;
}

export type StepModule<S extends StepDef = StepDef> = StepDefinition<S> & StepCompiler<S> & { readonly kind: StepKind };
