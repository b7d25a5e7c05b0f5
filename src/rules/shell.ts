// How a suggested probe is written for health-cmd, which Docker runs with /bin/sh: shared by the
// stage that builds the suggestion and the check that shows it.

/** The argument list as one shell line (health-cmd runs through /bin/sh): words with specials in double quotes. */
export function shellLine(argv: string[]): string {
  return argv.map(a => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\$`])/g, '\\$1')}"`)).join(' ')
}
