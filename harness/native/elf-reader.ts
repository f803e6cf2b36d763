/**
 * Bounds-checked little-endian reads over ELF bytes: every read names what it reads, so a
 * truncated or hostile file throws an ElfFormatError that says where, instead of returning garbage.
 */

export class ElfFormatError extends Error {
  override readonly name = 'ElfFormatError';
}

/**
 * Bounds-checked little-endian reads. Offsets are file offsets; `base` is the file offset of
 * buf[0], so a window read from a large file (positioned reads) is addressed like the whole file.
 */
export class ElfReader {
  constructor(
    private readonly buf: Buffer,
    private readonly base = 0,
  ) {}

  private check(offset: number, length: number, what: string): void {
    const at = offset - this.base;
    if (!Number.isInteger(offset) || at < 0 || at + length > this.buf.length) {
      const span = this.base === 0 ? `the file (${this.buf.length} bytes)` : `the bytes read [${this.base}, ${this.base + this.buf.length})`;
      throw new ElfFormatError(`${what} at offset ${offset} (+${length}) is outside ${span}`);
    }
  }
  u8(offset: number, what: string): number {
    this.check(offset, 1, what);
    return this.buf.readUInt8(offset - this.base);
  }
  u16(offset: number, what: string): number {
    this.check(offset, 2, what);
    return this.buf.readUInt16LE(offset - this.base);
  }
  u32(offset: number, what: string): number {
    this.check(offset, 4, what);
    return this.buf.readUInt32LE(offset - this.base);
  }
  u64(offset: number, what: string): number {
    this.check(offset, 8, what);
    const value = this.buf.readBigUInt64LE(offset - this.base);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ElfFormatError(`${what} is too large: ${value}`);
    return Number(value);
  }
  /** r_info's high 32 bits (the symbol index) without going through a lossy Number. */
  u64High32(offset: number, what: string): number {
    this.check(offset, 8, what);
    return this.buf.readUInt32LE(offset - this.base + 4);
  }
  cString(offset: number, limit: number, what: string): string {
    this.check(offset, 0, what);
    const end = this.buf.indexOf(0, offset - this.base);
    if (end < 0 || end + this.base >= limit) throw new ElfFormatError(`${what}: unterminated string at offset ${offset}`);
    return this.buf.toString('latin1', offset - this.base, end);
  }
}

/** A bounds-checked reader over `buf`, which holds file bytes starting at file offset `base`. */
export function elfWindowReader(buf: Buffer, base = 0): ElfReader {
  return new ElfReader(buf, base);
}
