import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { terminalSink as newSink } from '../../src/cli/terminal.js'

// The command line's sink: what a developer sees in a terminal, as a compiler prints it, and never
// a workflow command.

let written = ''
let errors = ''
const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
  written += String(chunk)
  return true
})
jest.spyOn(process.stderr, 'write').mockImplementation(chunk => {
  errors += String(chunk)
  return true
})
afterEach(() => {
  written = ''
  errors = ''
  process.exitCode = undefined
})

let terminalSink = newSink()
beforeEach(() => {
  terminalSink = newSink()
})

describe('terminalSink', () => {
  it('prints warnings, annotations and groups as plain lines', async () => {
    terminalSink.warning('the token cannot write')
    terminalSink.error('no USER (root)', { title: 'image-gate: no USER', file: 'app/Dockerfile', line: 8 })
    terminalSink.warning('JSONArgsRecommended: JSON arguments recommended for CMD', { title: 'BuildKit build check: JSONArgsRecommended', file: 'app/Dockerfile', line: 12 })
    await terminalSink.group('Build', async () => terminalSink.info('step 1'))
    expect(written).toBe(
      'warning: the token cannot write\napp/Dockerfile:8: error: no USER (root)\napp/Dockerfile:12: warning: JSONArgsRecommended: JSON arguments recommended for CMD\n── Build\nstep 1\n'
    )
    expect(write).toHaveBeenCalled()
  })

  it('shows untrusted lines as they are: a terminal runs no workflow commands', () => {
    terminalSink.untrusted(['::add-mask::x', 'plain'])
    const log = terminalSink.stream()
    log.write(Buffer.from('#5 RUN npm ci\n'))
    log.end()
    expect(written).toBe('::add-mask::x\nplain\n#5 RUN npm ci\n\n')
  })

  it('a failure is one line on stderr and exit code 1; outputs, secrets and the summary print nothing', async () => {
    terminalSink.output('passed', 'false')
    terminalSink.secret('s3cr3t')
    await terminalSink.summary('## table')
    terminalSink.fail('image-gate: 1 of 4 checks failed: user (UID 0, GID 0)')
    expect(errors).toBe('image-gate: 1 of 4 checks failed: user (UID 0, GID 0)\n')
    expect(written).toBe('')
    expect(process.exitCode).toBe(1)
  })

  it('masks every secret it was told of in all it prints, a streamed line even when a chunk ends inside the secret', async () => {
    terminalSink.secret('s3cr3t-token-value')
    terminalSink.secret('abc') // no secret: too short to mask without garbling words
    terminalSink.info('token s3cr3t-token-value, abc')
    terminalSink.warning('said s3cr3t-token-value', { title: 't', file: 'Dockerfile', line: 3 })
    await terminalSink.group('Build s3cr3t-token-value', async () => undefined)
    terminalSink.untrusted(['+ curl -H "Authorization: s3cr3t-token-value"'])
    const log = terminalSink.stream()
    log.write(Buffer.from('#7 0.153 token: s3cr3t-to'))
    log.write(Buffer.from('ken-value\n#7 DONE'))
    log.end()
    terminalSink.fail('failed: s3cr3t-token-value')
    expect(written).toBe(
      'token ***, abc\nDockerfile:3: warning: said ***\n── Build ***\n+ curl -H "Authorization: ***"\n#7 0.153 token: ***\n#7 DONE\n'
    )
    expect(errors).toBe('image-gate: failed: ***\n')
  })

  it("starts a bad input's failure line with the command's name too", () => {
    terminalSink.fail('Input "run-network": there is no network "db-net" on this engine.')
    expect(errors).toBe('image-gate: Input "run-network": there is no network "db-net" on this engine.\n')
  })
})
