// Types of workflows.mjs, for the TypeScript tests that import it.
export interface WorkflowText {
  path: string
  text: string
}
export interface ReadmeWorkflow extends WorkflowText {
  line: number
  shift: number
  kind: 'workflow' | 'jobs' | 'steps'
}
export function workflowFiles(): WorkflowText[]
export function readmeWorkflows(readme?: string): ReadmeWorkflow[]
