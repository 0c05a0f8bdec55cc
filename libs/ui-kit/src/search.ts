/**
 * `@cairn/ui-kit-search`: the search palette of the shell's global search, shared as its own
 * singleton bundle, loaded with the search dialog on the first Ctrl-K.
 */
export { SearchPalette } from './lib/search-palette/search-palette';
export type { PaletteGroup, PaletteOption } from './lib/search-palette/search-palette';
