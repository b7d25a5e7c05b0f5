// Types of workflows.mjs, for the TypeScript tests that import it.
export interface WorkflowText {
  path: string
  text: string
}
export interface ReadmeWorkflow extends WorkflowText {
  /** the Markdown file the example is in: README.md or docs/… */
  file: string
  line: number
  shift: number
  kind: 'workflow' | 'jobs' | 'steps'
}
export function workflowFiles(): WorkflowText[]
export function markdownFiles(): string[]
export function readmeWorkflows(): ReadmeWorkflow[]
export function markdownWorkflows(markdown: string, file?: string): ReadmeWorkflow[]
