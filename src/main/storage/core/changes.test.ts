import { describe, expect, it } from 'vitest'
import { ChangeFeed, type StorageChange } from './changes'

describe('the change feed', () => {
  it('delivers each change to every listener; a throwing listener breaks nothing', () => {
    const feed = new ChangeFeed()
    const seen: StorageChange[] = []
    feed.subscribe(() => {
      throw new Error('broken window')
    })
    const off = feed.subscribe((c) => seen.push(c))
    feed.emit({ repository: 'a', action: 'push', reference: 'v1' })
    off()
    feed.emit({ repository: 'a', action: 'untag', reference: 'v1' })
    expect(seen).toEqual([{ repository: 'a', action: 'push', reference: 'v1' }])
  })

  it('coalesces an operation’s own writes into one change per repository, while others’ writes go out at once', async () => {
    const feed = new ChangeFeed()
    const seen: StorageChange[] = []
    feed.subscribe((c) => seen.push(c))
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const importing = feed.coalesce('import', async () => {
      feed.emit({ repository: 'team/app', action: 'link', reference: 'sha256:1' })
      feed.emit({ repository: 'team/app', action: 'push', reference: 'v1' })
      await gate
      feed.emit({ repository: 'team/web', action: 'tag', reference: 'v2' })
    })
    // A client pushing meanwhile is not part of the import.
    feed.emit({ repository: 'other', action: 'push', reference: 'x' })
    expect(seen).toEqual([{ repository: 'other', action: 'push', reference: 'x' }])
    release()
    await importing
    expect(seen.slice(1)).toEqual([
      { repository: 'team/app', action: 'import' },
      { repository: 'team/web', action: 'import' }
    ])
  })

  it('a batch that touched everything says so once, and announces even when the operation fails', async () => {
    const feed = new ChangeFeed()
    const seen: StorageChange[] = []
    feed.subscribe((c) => seen.push(c))
    await expect(
      feed.coalesce('collect', async () => {
        feed.emit({ repository: 'a', action: 'delete' })
        feed.emit({ repository: '', action: 'collect' })
        throw new Error('disk gone')
      })
    ).rejects.toThrow('disk gone')
    expect(seen).toEqual([{ repository: '', action: 'collect' }])
  })
})
