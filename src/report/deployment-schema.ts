import * as v from 'valibot'
import { firstOf, short, text, wholeNumber } from './fields.js'

/**
 * kubernetes-manifest or fly-config: the settings the run took from the deployment file, each with
 * the line and key it came from, and the ones an input given explicitly replaced (`use: 'input'`).
 * `notes`: what the file says that was not applied (a secretKeyRef, a setting no input takes).
 */
export const DeploymentSchema = v.object({
  /** the file as the input named it */
  file: short(),
  kind: v.picklist(['kubernetes', 'fly']),
  settings: firstOf(
    v.object({
      /** the input the setting fills, e.g. run-memory */
      input: short(),
      /** the value as the input would be written (env: the variables' names only, never their values) */
      value: text(1_000),
      line: wholeNumber(),
      /** where the file nests it, e.g. spec.template.spec.containers[api].resources.limits.memory */
      key: short(),
      /** file: the run took it; input: an input given explicitly won over it */
      use: v.picklist(['file', 'input'])
    }),
    60
  ),
  notes: firstOf(v.object({ text: text(1_000), line: wholeNumber(), key: short() }), 30)
})
