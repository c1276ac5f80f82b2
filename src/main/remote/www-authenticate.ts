// `WWW-Authenticate` challenges (RFC 7235 §4.1, RFC 6750 §3), as registries send them:
//   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"
//   Basic realm="Registry Realm"
// A header may hold several challenges; parameters are tokens or quoted strings (with \-escapes).

export interface Challenge {
  scheme: string
  params: Record<string, string>
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/

export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  if (!header) return []
  const text = Array.isArray(header) ? header.join(', ') : header
  const out: Challenge[] = []
  let i = 0
  const skip = (chars: RegExp) => {
    while (i < text.length && chars.test(text[i])) i++
  }
  let current: Challenge | null = null
  while (i < text.length) {
    skip(/[\s,]/)
    const m = TOKEN.exec(text.slice(i))
    if (!m) break
    const word = m[0]
    i += word.length
    const save = i
    skip(/\s/)
    if (text[i] === '=' && current && text[i + 1] !== '=') {
      // name=value of the current challenge
      i++
      skip(/\s/)
      let value = ''
      if (text[i] === '"') {
        i++
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++
          value += text[i++]
        }
        i++
      } else {
        const v = /^[^\s,]*/.exec(text.slice(i))![0]
        value = v
        i += v.length
      }
      current.params[word.toLowerCase()] = value
    } else if (text[i] === '=' ) {
      // token68 (e.g. `Negotiate abc==`) or a parameter before any scheme: not for us
      skip(/[^,]/)
    } else {
      i = save
      current = { scheme: word.toLowerCase(), params: {} }
      out.push(current)
    }
  }
  return out
}

/** The Bearer challenge if the registry offers one, else Basic, else null. */
export function preferredChallenge(header: string | string[] | undefined): Challenge | null {
  const all = parseChallenges(header)
  return all.find((c) => c.scheme === 'bearer') ?? all.find((c) => c.scheme === 'basic') ?? null
}
