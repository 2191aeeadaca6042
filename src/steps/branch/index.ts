/** The `branch` step kind: its language half and its engine half, joined. */
import type { BranchStep } from '../../flow/types.js';
import type { StepModule } from '../step-module.js';
import { definition } from './definition.js';
import { compiler } from './compile.js';

export const branchStep: StepModule<BranchStep> = { ...definition, ...compiler, kind: 'branch' };
