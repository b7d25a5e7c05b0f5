import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { terminalSink } from '../../src/cli/terminal.js'

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

  it("starts a bad input's failure line with the command's name too", () => {
    terminalSink.fail('Input "run-network": there is no network "db-net" on this engine.')
    expect(errors).toBe('image-gate: Input "run-network": there is no network "db-net" on this engine.\n')
  })
})
