import type { Instruction } from 'dockerfile-ast'
import { finalChain } from './places.js'

// The accounts the final image's own stages create (`adduser -S hono -u 1001`, `useradd -m app`),
// for the user check's advice: a Dockerfile that creates an account and still runs as root should
// be told to switch to that account by name. Read from the RUN lines of the final stage (or the
// target), and of the stages it is built FROM, since those accounts are in the image too. Parsed
// with dockerfile-ast (continuation lines, comments, heredocs, exec form), then the shell text is
// split into simple commands; names with a variable in them ($USER) are left out: their value is
// not known here.

export interface CreatedAccounts {
  /** users created, final stage first, then in the order the RUN lines create them */
  users: string[]
  /** groups created (addgroup GROUP, groupadd GROUP) */
  groups: string[]
}

export function createdAccounts(content: string, target = ''): CreatedAccounts {
  const users: string[] = []
  const groups: string[] = []
  for (const stage of finalChain(content, target)) {
    for (const run of stage.instructions.filter(i => i.getKeyword() === 'RUN')) {
      for (const words of commands(scriptOf(run))) {
        const created = creation(words)
        if (!created || created.name.includes('$')) continue
        const list = created.kind === 'user' ? users : groups
        if (!list.includes(created.name)) list.push(created.name)
      }
    }
  }
  return { users, groups }
}

/** The shell text a RUN runs: exec form joined, a heredoc's body, or the shell form as written. */
function scriptOf(run: Instruction): string {
  const text = run.getArgumentsContent() ?? ''
  try {
    const words: unknown = JSON.parse(text)
    if (Array.isArray(words) && words.every(w => typeof w === 'string')) return words.map(quote).join(' ')
  } catch {
    // shell form
  }
  const heredoc = /^<<-?\s*(["']?)(\w+)\1[^\n]*\n([\s\S]*)$/.exec(text)
  if (heredoc) {
    const body = heredoc[3].split('\n')
    const end = body.findIndex(line => line.trim() === heredoc[2])
    return body.slice(0, end === -1 ? undefined : end).join('\n')
  }
  return text
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

/**
 * Shell text → its simple commands as words: quotes and backslashes resolved, split at ; & | && ||
 * newlines and parentheses or braces, comments dropped. Enough for the account commands in a RUN;
 * not a shell (no expansion: a `$` stays in the word).
 */
export function commands(script: string): string[][] {
  const result: string[][] = []
  let words: string[] = []
  let word: string | undefined
  const endWord = () => {
    if (word !== undefined) words.push(word)
    word = undefined
  }
  const endCommand = () => {
    endWord()
    if (words.length) result.push(words)
    words = []
  }
  for (let i = 0; i < script.length; i++) {
    const c = script[i]
    if (c === "'") {
      const close = script.indexOf(c, i + 1)
      const end = close === -1 ? script.length : close
      word = (word ?? '') + script.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      // inside double quotes a backslash escapes only " \ $ and `
      let j = i + 1
      let quoted = ''
      for (; j < script.length && script[j] !== '"'; j++) {
        if (script[j] === '\\' && /["\\$`]/.test(script[j + 1] ?? '')) j++
        quoted += script[j]
      }
      word = (word ?? '') + quoted
      i = j
    } else if (c === '\\') {
      if (script[i + 1] !== '\n') word = (word ?? '') + (script[i + 1] ?? '')
      i++
    } else if (c === '#' && word === undefined) {
      const eol = script.indexOf('\n', i)
      i = eol === -1 ? script.length : eol - 1
    } else if (/[;&|\n(){}]/.test(c)) endCommand()
    else if (/\s/.test(c)) endWord()
    else word = (word ?? '') + c
  }
  endCommand()
  return result
}

/** Options that take a value, per command: the name is the first word that is not an option or its value. */
const VALUED: Record<string, { short: string; long: string[] }> = {
  // busybox (Alpine) and Debian adduser/addgroup
  adduser: { short: 'hgsGuk', long: ['home', 'gecos', 'comment', 'shell', 'ingroup', 'uid', 'gid', 'skel', 'conf', 'firstuid', 'lastuid', 'firstgid', 'lastgid', 'add-extra-groups-to'] },
  addgroup: { short: 'g', long: ['gid', 'conf', 'firstgid', 'lastgid'] },
  // shadow's useradd/groupadd (Debian, Red Hat)
  useradd: { short: 'bcdefgGkKpsuRPZ', long: ['base-dir', 'comment', 'home-dir', 'expiredate', 'inactive', 'gid', 'groups', 'skel', 'key', 'password', 'shell', 'uid', 'root', 'prefix', 'selinux-user'] },
  groupadd: { short: 'gKpRP', long: ['gid', 'key', 'password', 'root', 'prefix', 'users'] }
}
/** Prefixes that run the command after them. */
const WRAPPERS = new Set(['sudo', 'exec', 'command', 'then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', 'time'])

/** What a simple command creates, if it is adduser/useradd/addgroup/groupadd with one name. */
export function creation(words: string[]): { kind: 'user' | 'group'; name: string } | undefined {
  let at = 0
  while (at < words.length && (WRAPPERS.has(words[at]) || /^\w+=/.test(words[at]))) at++
  const program = (words[at] ?? '').replace(/^.*\//, '')
  const valued = VALUED[program]
  if (!valued) return undefined
  const names: string[] = []
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i]
    if (w === '--') {
      names.push(...words.slice(i + 1))
      break
    }
    if (w.startsWith('--')) {
      if (!w.includes('=') && valued.long.includes(w.slice(2))) i++
    } else if (w.startsWith('-') && w.length > 1) {
      // a cluster of short options (-SD); a valued one takes the rest of the word, or the next word
      const valuedAt = [...w.slice(1)].findIndex(c => valued.short.includes(c))
      if (valuedAt !== -1 && valuedAt === w.length - 2) i++
    } else names.push(w)
  }
  // `adduser USER GROUP` and `addgroup USER GROUP` add an existing user to a group: nothing is created
  if (names.length !== 1) return undefined
  return { kind: program === 'adduser' || program === 'useradd' ? 'user' : 'group', name: names[0] }
}
