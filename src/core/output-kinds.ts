/** The kinds of file `build` writes, and the ones `--only` selects (one list for the core and the command). */
export const OUTPUT_KINDS = ['mobileconfig', 'autodiscover', 'autoconfig', 'ddm', 'dns', 'webserver'] as const
export type SelectableKind = (typeof OUTPUT_KINDS)[number]

/** Every kind a manifest entry can have: the selectable ones plus the Autodiscover error response. */
export type OutputKind = SelectableKind | 'autodiscover-error'
