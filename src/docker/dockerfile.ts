import { DockerfileParser, type Instruction } from 'dockerfile-ast'

// Where in the Dockerfile the final image's user is decided, for an annotation on a failed user
// check: the last USER of the final stage (or of the stage it is built FROM, which it inherits),
// else the final stage's FROM line. Parsed with dockerfile-ast, not regular expressions, so
// continuation lines, comments and heredocs cannot fool it.

export interface Place {
  /** 1-based line */
  line: number
  instruction: 'USER' | 'FROM'
  text: string
}

interface Stage {
  name?: string
  from: Instruction
  base: string
  instructions: Instruction[]
}

export function userPlace(content: string, target = ''): Place | undefined {
  const stages: Stage[] = []
  for (const ins of DockerfileParser.parse(content).getInstructions()) {
    if (ins.getKeyword() === 'FROM') {
      const [base = '', as, name] = ins.getArguments().map(a => a.getValue())
      stages.push({ from: ins, base: base.toLowerCase(), name: as?.toLowerCase() === 'as' ? name?.toLowerCase() : undefined, instructions: [] })
    } else stages[stages.length - 1]?.instructions.push(ins)
  }
  const final = target ? stages.find(s => s.name === target.toLowerCase()) : stages[stages.length - 1]
  if (!final) return undefined
  // Follow FROM <earlier stage> upwards: USER is inherited from the stage an image is built on.
  for (let stage: Stage | undefined = final, seen = 0; stage && seen < stages.length; seen++) {
    const users = stage.instructions.filter(i => i.getKeyword() === 'USER')
    const last = users[users.length - 1]
    if (last) return place(last, 'USER')
    const parent = stages.indexOf(stage)
    stage = stages.slice(0, parent).find(s => s.name === stage!.base)
  }
  return place(final.from, 'FROM')
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
