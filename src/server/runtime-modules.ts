/**
 * The engine and the compiler as the server uses them. Tests of the server may pass their own; production uses
 * these. Kept in one place so a change of the engine's constructor or the compiler's options touches one file.
 */
import type { Services } from '../runtime/services.js';
import { Engine } from '../runtime/engine.js';
import { compileFlow } from '../compile/compile-flow.js';
import type { CompileFlow, EngineLike } from './contracts.js';

export interface RuntimeModules {
  createEngine(services: Services): EngineLike;
  compile: CompileFlow;
}

/** The real engine and compiler. */
export const defaultRuntime: RuntimeModules = {
  createEngine: (services) => new Engine(services),
  compile: (loaded, version) => compileFlow({ flow: loaded.flow, file: loaded.file, subflows: loaded.subflows as Parameters<typeof compileFlow>[0]['subflows'] }, { version }),
};
