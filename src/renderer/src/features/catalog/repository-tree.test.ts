import { describe, expect, it } from 'vitest'
import type { RepositorySummary } from '@shared/model/catalog'
import { treeRows } from './repository-tree'

const repo = (name: string, totalSize = 10): RepositorySummary => ({ name, tagCount: 1, totalSize, uniqueSize: 1, lastPush: null })

describe('repositories as a tree of namespaces', () => {
  const items = ['team', 'team/app', 'team/web', 'team/ml/train', 'tools'].map((n) => repo(n))
  const show = (rows: ReturnType<typeof treeRows>) => rows.map((r) => `${'  '.repeat(r.depth)}${r.kind === 'namespace' ? `${r.label} (${r.repositories}, ${r.totalSize}${r.open ? ', open' : ''})` : r.label}`)

  it('folds namespaces until opened, counting what is inside', () => {
    expect(show(treeRows(items, new Set(), false))).toEqual(['team', 'team/ (3, 30)', 'tools'])
    expect(show(treeRows(items, new Set(['team']), false))).toEqual(['team', 'team/ (3, 30, open)', '  app', '  web', '  ml/ (1, 10)', 'tools'])
  })

  it('opens everything while searching', () => {
    expect(show(treeRows(items.slice(3, 4), new Set(), true))).toEqual(['team/ (1, 10, open)', '  ml/ (1, 10, open)', '    train'])
  })
})
