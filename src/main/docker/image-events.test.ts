import { describe, expect, it } from 'vitest'
import { imageEventsFrom } from './image-events'

describe('the engine’s image events', () => {
  it('keeps the actions that change the image list, with the image named', () => {
    const lines = [
      { Type: 'image', Action: 'tag', Actor: { ID: 'sha256:aa', Attributes: { name: 'app:2' } } },
      { Type: 'image', Action: 'untag', Actor: { ID: 'sha256:aa', Attributes: {} } },
      { Type: 'image', Action: 'save', Actor: { ID: 'sha256:aa' } },
      { Type: 'container', Action: 'start', Actor: { ID: 'c1' } },
      { status: 'pull', id: 'busybox:latest' }
    ].map((e) => JSON.stringify(e))
    expect(imageEventsFrom([...lines, 'not json', ''].join('\n'))).toEqual([
      { action: 'tag', image: 'app:2' },
      { action: 'untag', image: 'sha256:aa' },
      { action: 'pull', image: 'busybox:latest' }
    ])
  })
})
