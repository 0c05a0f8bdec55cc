import type { Locator } from 'playwright-core';

/**
 * A list's data columns as drawn: the header row's column names (sort arrows removed) and a
 * row's cells, trimmed. Bulk actions' selection column (`select-cell`, a checkbox) is left out:
 * it prints nothing kubectl prints, and it appears only once its access reviews answer, so a
 * story reading the header before it came and the rows after would shift every cell by one.
 */
export async function dataHeaders(headerRow: Locator): Promise<string[]> {
  return (await headerRow.locator('[role=columnheader]:not(.select-cell)').allTextContents()).map((h) => h.replace(/[▲▼]/, '').trim());
}

/** One row's data cells (see `dataHeaders`), trimmed. */
export async function dataCells(row: Locator): Promise<string[]> {
  return (await row.locator('[role=cell]:not(.select-cell)').allTextContents()).map((c) => c.trim());
}
