import { connect } from 'node:net'

/*
 * One HTTP/1.1 exchange over a raw socket, so a test can send what a well-behaved client never
 * would: any method and header, a body by Content-Length or chunked, or half a request and then a
 * hang-up. The request asks for `Connection: close`, so the answer is everything until the server
 * closes.
 */

export interface RawRequest {
  method: string
  path: string
  headers?: Record<string, string>
  body?: Buffer
  /** Send the body with Transfer-Encoding: chunked (in `chunk`-byte pieces) instead of Content-Length. */
  chunked?: boolean
  chunk?: number
  /** Hang up after this many bytes of the whole request (headers included). */
  hangUpAfter?: number
}

export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

function encode(r: RawRequest): Buffer {
  const headers: Record<string, string> = { Host: '127.0.0.1', Connection: 'close', ...r.headers }
  const body = r.body ?? Buffer.alloc(0)
  let payload = body
  if (r.chunked) {
    headers['Transfer-Encoding'] = 'chunked'
    const size = Math.max(1, r.chunk ?? 16 * 1024)
    const parts: Buffer[] = []
    for (let i = 0; i < body.length; i += size) {
      const piece = body.subarray(i, i + size)
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'))
    }
    parts.push(Buffer.from('0\r\n\r\n'))
    payload = Buffer.concat(parts)
  } else if (r.body !== undefined && headers['Content-Length'] === undefined) {
    headers['Content-Length'] = String(body.length)
  }
  const head = `${r.method} ${r.path} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`
  return Buffer.concat([Buffer.from(head, 'latin1'), payload])
}

function parse(raw: Buffer, method: string): RawAnswer {
  const end = raw.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`no complete answer: ${JSON.stringify(raw.subarray(0, 200).toString('latin1'))}`)
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n')
  const m = /^HTTP\/1\.1 (\d{3})/.exec(statusLine)
  if (!m) throw new Error(`not an HTTP answer: ${statusLine}`)
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const at = line.indexOf(':')
    const key = line.slice(0, at).trim().toLowerCase()
    const value = line.slice(at + 1).trim()
    headers[key] = headers[key] === undefined ? value : `${headers[key]}, ${value}`
  }
  let body = raw.subarray(end + 4)
  if (method === 'HEAD') body = Buffer.alloc(0)
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']))
  return { status: Number(m[1]), headers, body }
}

/** Sends `r` to 127.0.0.1:`port`; resolves with the answer, or null when the request hung up on purpose. */
export function rawExchange(port: number, r: RawRequest, timeoutMs = 20_000): Promise<RawAnswer | null> {
  const bytes = encode(r)
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no answer within ${timeoutMs} ms to ${r.method} ${r.path.slice(0, 100)}`))
    }, timeoutMs)
    socket.on('data', (d) => chunks.push(d))
    socket.on('error', (err) => {
      // A refusal sent before the whole body was taken can meet a reset; what arrived still counts.
      if (chunks.length === 0 && r.hangUpAfter === undefined) {
        clearTimeout(timer)
        reject(err)
      }
    })
    socket.on('close', () => {
      clearTimeout(timer)
      if (r.hangUpAfter !== undefined) return resolve(null)
      try {
        resolve(parse(Buffer.concat(chunks), r.method))
      } catch (err) {
        reject(err)
      }
    })
    socket.on('connect', () => {
      if (r.hangUpAfter === undefined) return socket.write(bytes)
      socket.write(bytes.subarray(0, Math.min(r.hangUpAfter, bytes.length)), () => setTimeout(() => socket.destroy(), 5))
    })
  })
}
