import type { Inputs } from '../inputs/inputs.js'
import { profileFlags, type ProfileInputs } from './profile.js'

// What the main container and every smoke-command container get alike: the environment, the
// network they join (run-network: where the app's services are reachable by name) and extra host
// entries (run-add-hosts), so a worker reaches the same queue the app does; and the run profile
// (profile.ts), so a worker meets the same policy as the web process.

export type ContainerInputs = Pick<Inputs, 'env' | 'runNetwork' | 'runAddHosts'> & ProfileInputs & { networkAliases?: string[] }

/** `main`: the container that stands for the service, which alone answers to its network aliases (compose-file). */
export function containerFlags(inputs: ContainerInputs, { main = false } = {}): string[] {
  const flags: string[] = []
  for (const pair of inputs.env) flags.push('--env', pair)
  if (inputs.runNetwork) flags.push('--network', inputs.runNetwork)
  if (main && inputs.runNetwork) for (const alias of inputs.networkAliases ?? []) flags.push('--network-alias', alias)
  for (const entry of inputs.runAddHosts) flags.push('--add-host', entry)
  flags.push(...profileFlags(inputs))
  return flags
}
