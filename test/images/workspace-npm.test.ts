/** An npm workspace (package.json "workspaces"): see workspace-helpers.ts. */
import { describeWorkspace } from './workspace-helpers';

describeWorkspace('npm');
