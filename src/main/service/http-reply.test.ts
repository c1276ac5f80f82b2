import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Logger } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { answerFailure } from './http-reply'

// The last word on a failed request must itself never fail: whatever state the response is in, and
// even when the logger throws, the request ends (answered or cut) and nothing reaches the process.

type Line = { level: string; obj: Record<string, unknown>; msg: string }

function recorder(throwing = false): { log: Logger; lines: Line[] } {
  const lines: Line[] = []
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => {
    lines.push({ level, obj, msg })
    if (throwing) throw new Error('the log is gone too')
  }
  return { log: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') } as unknown as Logger, lines }
}

const servers: ReturnType<typeof createServer>[] = []
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r))
})

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  const server = createServer(handler)
  servers.push(server)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return (server.address() as AddressInfo).port
}

function get(port: number): Promise<{ status: number; body: string } | Error> {
  return new Promise((resolve) => {
    const r = request({ host: '127.0.0.1', port, path: '/api/x?token=secret' }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, body }))
      res.on('error', (e) => resolve(e))
    })
    r.on('error', (e) => resolve(e))
    r.end()
  })
}

describe('answerFailure', () => {
  it('answers a 500 envelope with advice (no internals) and logs the error with its request', async () => {
    const { log, lines } = recorder()
    const port = await serve((req, res) => answerFailure(log, req, res, new Error('EIO: the disk said no')))
    const r = await get(port)
    expect(r).toMatchObject({ status: 500 })
    const body = JSON.parse((r as { body: string }).body)
    expect(body).toEqual({ ok: false, error: { code: 'INTERNAL', message: expect.stringMatching(/^Berth could not answer this request \(its log says why\)/) } })
    expect((r as { body: string }).body).not.toContain('EIO')
    expect(lines).toEqual([{ level: 'error', obj: expect.objectContaining({ method: 'GET', url: '/api/x' }), msg: 'request failed' }])
  })

  it('cuts a response whose headers went out already, logging a server-side error as an error, not a hang-up', async () => {
    const { log, lines } = recorder()
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    const port = await serve((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' })
      res.write('half')
      answerFailure(log, req, res, full)
    })
    const r = await get(port)
    expect(r instanceof Error || (r as { body: string }).body === 'half').toBe(true)
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['error', 'request failed']])
  })

  it('a hang-up (the socket gone, a connection error) is logged as one', async () => {
    const { log, lines } = recorder()
    let done: () => void
    const handled = new Promise<void>((r) => (done = r))
    const port = await serve((req, res) => {
      req.socket.destroy()
      setImmediate(() => {
        answerFailure(log, req, res, Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))
        done()
      })
    })
    await get(port)
    await handled
    expect(lines.map((l) => [l.level, l.msg])).toEqual([['info', 'client went away mid-request']])
  })

  it('never throws, even when logging throws: the socket is destroyed', async () => {
    const { log, lines } = recorder(true)
    let threw: unknown = null
    const port = await serve((req, res) => {
      try {
        answerFailure(log, req, res, new Error('first'))
      } catch (err) {
        threw = err
      }
    })
    const r = await get(port)
    expect(threw).toBeNull()
    expect(r).toBeInstanceOf(Error)
    expect(lines.map((l) => l.msg)).toEqual(['request failed', 'answering a failed request failed too'])
  })
})
