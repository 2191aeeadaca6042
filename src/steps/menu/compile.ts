/** The engine half of `menu`: options, direct-dial patterns and flow-wide keys as one table of choices. */
import type { MenuStep } from '../../flow/types.js';
import type { StepCompiler } from '../../compile/step-compiler.js';
import { collectData, collectImplementations, collectState } from '../../compile/collect.js';
import { compilePatterns } from '../../compile/digit-matcher.js';

/** Compiles `menu` steps; registered in `src/compile/compilers.ts` and joined with the definition in `index.ts`. */
export const compiler: StepCompiler<MenuStep> = {
  compile(step, ctx) {
    const spec = step.menu;
    const data = collectData(ctx, 'menu', spec, step.exhausted);
    // Flow-wide keys first, so that an option with the same key replaces it (the option wins).
    const exact: Record<string, string> = { ...ctx.globalKeys(spec.keys) };
    for (const [key, target] of Object.entries(spec.options)) exact[key] = ctx.target(target);
    const patterns: Record<string, { next: string; into?: string }> = {};
    for (const [pattern, p] of Object.entries(spec.patterns ?? {})) patterns[pattern] = { ...p, next: ctx.target(p.next) };
    data.menu = { exact, patterns: compilePatterns(patterns) };
    ctx.register(data);
    return collectState(ctx, data, step);
  },
  implementations: collectImplementations,
};
