import { readdirSync } from 'node:fs'
import * as path from 'node:path'
import { DockerfileParser, type Instruction } from 'dockerfile-ast'

// Where in the Dockerfile the final image's user is decided, for an annotation on a failed user
// check: the last USER of the final stage (or of the stage it is built FROM, which it inherits),
// else the final stage's FROM line; and which line made a layer, for the contents check. Parsed with dockerfile-ast, not regular expressions, so
// continuation lines, comments and heredocs cannot fool it.

export interface Place {
  /** 1-based line */
  line: number
  instruction: 'USER' | 'FROM' | 'INSTRUCTION'
  text: string
}

export interface Stage {
  name?: string
  from: Instruction
  base: string
  instructions: Instruction[]
}

export function userPlace(content: string, target = ''): Place | undefined {
  const chain = finalChain(content, target)
  if (chain.length === 0) return undefined
  // USER is inherited from the stage an image is built on
  for (const stage of chain) {
    const users = stage.instructions.filter(i => i.getKeyword() === 'USER')
    const last = users[users.length - 1]
    if (last) return place(last, 'USER')
  }
  return place(chain[0].from, 'FROM')
}

/**
 * The line of the instruction that made a layer of the final image, from its `docker history`
 * text (`COPY . .`, `RUN npm ci`; buildkit leaves out flags such as --from and --chown): the last
 * such instruction of the final stage, or of a stage it is built FROM. A layer no instruction
 * matches came with the base image: the FROM line it came through.
 */
export function instructionPlace(content: string, instruction: string, target = ''): Place | undefined {
  const chain = finalChain(content, target)
  if (chain.length === 0) return undefined
  const wanted = normalize(instruction)
  for (const stage of chain) {
    const found = stage.instructions.filter(i => `${i.getKeyword()} ${normalize(argumentsOf(i))}` === wanted).pop()
    if (found) return place(found, 'INSTRUCTION')
  }
  return place(chain[chain.length - 1].from, 'FROM')
}

/**
 * The final stage (or target), then each stage it is built FROM, up to the one on a base image:
 * the stages whose instructions are in the image (its user, its layers, the accounts it creates).
 */
export function finalChain(content: string, target: string): Stage[] {
  const stages: Stage[] = []
  for (const ins of DockerfileParser.parse(content).getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const [base = '', as, name] = ins.getArguments().map(a => a.getValue())
      stages.push({ from: ins, base: base.toLowerCase(), name: as?.toLowerCase() === 'as' ? name?.toLowerCase() : undefined, instructions: [] })
    } else stages[stages.length - 1]?.instructions.push(ins)
  }
  const chain: Stage[] = []
  for (let stage = target ? stages.find(s => s.name === target.toLowerCase()) : stages[stages.length - 1]; stage && !chain.includes(stage); ) {
    chain.push(stage)
    const at = stages.indexOf(stage)
    stage = stages.slice(0, at).find(s => s.name === stage!.base)
  }
  return chain
}

/** The arguments without flags; an exec-form array as the words it holds. */
function argumentsOf(ins: Instruction): string {
  const text = ins.getArgumentsContent() ?? ''
  try {
    const words: unknown = JSON.parse(text)
    if (Array.isArray(words) && words.every(w => typeof w === 'string')) return words.join(' ')
  } catch {
    // shell form
  }
  return text
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

/** The names of the Dockerfile's stages (FROM ... AS name), lower-cased as Docker matches them. */
export function stageNames(content: string): string[] {
  return DockerfileParser.parse(content)
    .getFROMs()
    .map(from => from.getBuildStage()?.toLowerCase())
    .filter((name): name is string => Boolean(name))
}

function place(ins: Instruction, instruction: Place['instruction']): Place {
  return { line: ins.getRange().start.line + 1, instruction, text: ins.getTextContent?.() ?? ins.getKeyword() }
}

/**
 * The file buildx builds for `--file file`. BuildKit's Dockerfile frontend reads the file named
 * and, when one named exactly `Dockerfile` is missing, the lowercase `dockerfile` beside it, so
 * `docker buildx build .` builds a context that holds only a `dockerfile`. The name is looked up
 * in the folder's listing rather than opened, so on a case-insensitive disk it is still the name
 * the file really has (the one annotations and the comment key must name).
 */
export function resolveDockerfile(file: string): string {
  if (path.basename(file) !== 'Dockerfile') return file
  let names: string[]
  try {
    names = readdirSync(path.dirname(file))
  } catch {
    return file // no such folder: checked, and said, by the caller
  }
  return !names.includes('Dockerfile') && names.includes('dockerfile') ? path.join(path.dirname(file), 'dockerfile') : file
}
