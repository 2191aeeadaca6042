/** A compile problem the validator should have caught first (an unknown subflow, recursion, a stray `return`). */
export class CompileError extends Error {
  /** Stable code, as in the diagnostics catalogue. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'CompileError';
  }
}
