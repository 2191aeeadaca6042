/** The `return` step kind: its language half and its engine half, joined. */
import type { ReturnStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const returnStep: StepModule<ReturnStep> = { ...definition, ...compiler, kind: 'return' };
