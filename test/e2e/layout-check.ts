import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'

// The checks of test/e2e/in-page/, evaluated in the page (evaluate passes the page's CSP by).

const inPage = (name: string) => readFileSync(join(import.meta.dirname, 'in-page', `${name}.js`), 'utf8')
const READABILITY = inPage('readability')
const CONTRAST = inPage('contrast')

/** What makes the view hard to read as it is now (see in-page/readability.js); empty when it reads well. */
export function readabilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(`(${READABILITY})()`) as Promise<string[]>
}

export interface ContrastSample {
  what: string
  size: string
  ratio: number
  fg: string
  bg: string
}

/** The contrast of every piece of text shown, lowest first (see in-page/contrast.js). */
export function contrastSamples(page: Page): Promise<ContrastSample[]> {
  return page.evaluate(`(${CONTRAST})()`) as Promise<ContrastSample[]>
}
