/** The `transfer` step kind: its language half and its engine half, joined. */
import type { TransferStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const transferStep: StepModule<TransferStep> = { ...definition, ...compiler, kind: 'transfer' };
