import type { RepositorySummary } from '@shared/model/catalog'

// Repositories as a tree of namespaces (`team/…`): pure, so the rows of 3,000 repositories are
// computed once per change and rendered virtualized.

export type TreeRow =
  | { kind: 'namespace'; path: string; label: string; depth: number; repositories: number; totalSize: number; open: boolean }
  | { kind: 'repository'; repo: RepositorySummary; label: string; depth: number }

interface Node {
  path: string
  /** Repositories strictly below this node, and what their tags reach (summed). */
  children: Map<string, Node>
  repo: RepositorySummary | null
  repositories: number
  totalSize: number
}

const node = (path: string): Node => ({ path, children: new Map(), repo: null, repositories: 0, totalSize: 0 })

/** Rows in the given order of `items` (already sorted); a namespace is open when `expanded` names it, or always with `openAll` (a search). */
export function treeRows(items: readonly RepositorySummary[], expanded: ReadonlySet<string>, openAll: boolean): TreeRow[] {
  const root = node('')
  for (const repo of items) {
    let at = root
    const parts = repo.name.split('/')
    parts.forEach((part, i) => {
      at.repositories++
      at.totalSize += repo.totalSize
      let next = at.children.get(part)
      if (!next) at.children.set(part, (next = node(parts.slice(0, i + 1).join('/'))))
      at = next
    })
    at.repo = repo
  }
  const rows: TreeRow[] = []
  const visit = (n: Node, depth: number) => {
    for (const [label, child] of n.children) {
      if (child.repo) rows.push({ kind: 'repository', repo: child.repo, label, depth })
      if (child.children.size > 0) {
        const open = openAll || expanded.has(child.path)
        rows.push({ kind: 'namespace', path: child.path, label: `${label}/`, depth, repositories: child.repositories, totalSize: child.totalSize, open })
        if (open) visit(child, depth + 1)
      }
    }
  }
  visit(root, 0)
  return rows
}
