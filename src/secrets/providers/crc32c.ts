/**
 * CRC32C (Castagnoli), the checksum Secret Manager sends with a payload
 * (`dataCrc32c`), so that a payload damaged in transit is caught.
 */
let table: Uint32Array | undefined

function makeTable(): Uint32Array {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
}

/** The CRC32C of `bytes`, as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  const t = (table ??= makeTable())
  let crc = 0xffffffff
  for (const byte of bytes) crc = t[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}
