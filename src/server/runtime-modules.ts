/**
 * The engine and the compiler, loaded by path. They are written in parallel with the server; loading them here
 * keeps the server compiling while their exact exports settle, and keeps one place to adapt if they change.
 */
import type { Services } from '../runtime/services.js';
import type { CompileFlow, EngineLike } from './contracts.js';

export interface RuntimeModules {
  createEngine(services: Services): EngineLike;
  compile: CompileFlow;
}

const ENGINE_MODULE = '../runtime/engine.js';
const COMPILE_MODULE = '../compile/compile-flow.js';

/** Imports the engine and the compiler. Throws with a plain message when they are missing. */
export async function loadRuntimeModules(): Promise<RuntimeModules> {
  const engineModule = (await import(ENGINE_MODULE)) as { Engine?: new (services: Services) => EngineLike; createEngine?: (o: unknown) => EngineLike };
  const compileModule = (await import(COMPILE_MODULE)) as { compileFlow: (input: { flow: unknown; file: string; subflows?: unknown }, options: { version: string }) => ReturnType<CompileFlow> };
  const Engine = engineModule.Engine;
  return {
    createEngine: (services) => (Engine ? new Engine(services) : engineModule.createEngine!({ services })),
    compile: (loaded, version) => compileModule.compileFlow(loaded, { version }),
  };
}
