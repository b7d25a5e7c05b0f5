// How a suggested probe is written for health-cmd, which Docker runs with /bin/sh: shared by the
// stage that builds the suggestion and the check that shows it.

/**
 * The argument list as one shell line (health-cmd runs through /bin/sh): words with specials in
 * double quotes, or in single quotes when they hold $, ", \ or a backtick and no single quote
 * (PHP's and bash's code reads as written then).
 */
export function shellLine(argv: string[]): string {
  return argv
    .map(a => {
      if (/^[\w@%+=:,./-]+$/.test(a)) return a
      if (!a.includes("'") && /["\\$`]/.test(a)) return `'${a}'`
      return `"${a.replace(/(["\\$`])/g, '\\$1')}"`
    })
    .join(' ')
}
