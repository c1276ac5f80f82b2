// Draws Berth's icons as PNGs (no image tools needed): a rounded square with a container-ship "B".
// Run once; the PNGs are committed. `node scripts/make-icons.mjs`
import { writeFileSync } from 'node:fs'
import { deflateSync } from 'node:zlib'
import { join } from 'node:path'

function crc32(buf) {
  let c, crc = 0xffffffff
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x / size, y / size)
      raw.set([r, g, b, a], y * (size * 4 + 1) + 1 + x * 4)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0); ihdr.writeUInt32BE(size, 4); ihdr[8] = 8; ihdr[9] = 6
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}
function roundedSquare(u, v, r = 0.22) {
  const dx = Math.max(Math.abs(u - 0.5) - (0.5 - r), 0), dy = Math.max(Math.abs(v - 0.5) - (0.5 - r), 0)
  return dx * dx + dy * dy <= r * r
}
/** Three stacked containers on a hull: the mark. */
function mark(u, v) {
  const hull = v > 0.66 && v < 0.76 && u > 0.18 + (v - 0.66) * 0.8 && u < 0.82 - (v - 0.66) * 0.8
  const box = (x0, y0) => u > x0 && u < x0 + 0.18 && v > y0 && v < y0 + 0.14
  return hull || box(0.22, 0.5) || box(0.42, 0.5) || box(0.62, 0.5) || box(0.32, 0.34) || box(0.52, 0.34)
}
const icon = (bg) => (u, v) => (!roundedSquare(u, v) ? [0, 0, 0, 0] : mark(u, v) ? [255, 255, 255, 255] : [...bg, 255])
const dir = join(import.meta.dirname, '..')
writeFileSync(join(dir, 'build', 'icon.png'), png(512, icon([14, 99, 156])))
writeFileSync(join(dir, 'resources', 'icon.png'), png(256, icon([14, 99, 156])))
writeFileSync(join(dir, 'resources', 'tray-running.png'), png(32, icon([22, 163, 74])))
writeFileSync(join(dir, 'resources', 'tray-stopped.png'), png(32, icon([120, 120, 120])))
