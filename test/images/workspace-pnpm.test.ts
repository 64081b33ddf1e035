/** A pnpm workspace (pnpm-workspace.yaml, `workspace:*` dependencies): see workspace-helpers.ts. */
import { describeWorkspace } from './workspace-helpers';

describeWorkspace('pnpm');
