import { beforeEach, describe, expect, it, jest } from '@jest/globals'

// Engine problems get one sentence with the fix. @actions/exec is mocked.

type Exec = (cmd: string, args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>
const getExecOutput = jest.fn<Exec>()
jest.unstable_mockModule('@actions/exec', () => ({ getExecOutput, exec: jest.fn() }))
const { EngineError, preflight } = await import('../../src/docker.js')

beforeEach(() => {
  getExecOutput.mockReset()
})

describe('preflight', () => {
  it('passes when the engine answers and buildx is there', async () => {
    getExecOutput.mockResolvedValue({ exitCode: 0, stdout: '20.10.24', stderr: '' })
    await expect(preflight()).resolves.toBeUndefined()
    expect(getExecOutput.mock.calls.map(c => c[1])).toEqual([['version', '--format', '{{.Server.Version}}'], ['buildx', 'version']])
  })

  it('says the daemon is down, with Docker\'s own words and the fix', async () => {
    getExecOutput.mockResolvedValue({
      exitCode: 1,
      stdout: '',
      stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n'
    })
    const err = await preflight().catch(e => e)
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe(
      'the Docker engine is not reachable (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?). Start the Docker daemon, or check DOCKER_HOST; on a Debian machine as root, scripts/setup-docker.sh installs and starts one.'
    )
  })

  it('says buildx is missing and how to add it', async () => {
    getExecOutput
      .mockResolvedValueOnce({ exitCode: 0, stdout: '20.10.24', stderr: '' })
      .mockResolvedValueOnce({ exitCode: 1, stdout: '', stderr: "docker: 'buildx' is not a docker command." })
    await expect(preflight()).rejects.toThrow('docker buildx is not available (`docker buildx version` failed). Install the buildx plugin; on GitHub add the step docker/setup-buildx-action')
  })

  it('says the docker CLI is missing', async () => {
    getExecOutput.mockRejectedValue(new Error('Unable to locate executable file: docker. Please verify either the file path exists'))
    await expect(preflight()).rejects.toThrow('the docker CLI was not found (Unable to locate executable file: docker.')
  })

  it('says a builder that does not exist is not usable, and how to make it', async () => {
    getExecOutput
      .mockResolvedValueOnce({ exitCode: 0, stdout: '20.10.24', stderr: '' })
      .mockResolvedValueOnce({ exitCode: 0, stdout: 'github.com/docker/buildx 0.13.1', stderr: '' })
      .mockResolvedValueOnce({ exitCode: 1, stdout: '', stderr: 'ERROR: no builder "ci" found' })
    await expect(preflight('ci')).rejects.toThrow(
      'the buildx builder "ci" is not usable (ERROR: no builder "ci" found). Create it (docker buildx create --name ci, or docker/setup-buildx-action), or leave builder empty for the default.'
    )
  })
})
