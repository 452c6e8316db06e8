import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";

const BLOCK = 512;

/** One POSIX ustar header for a regular file: fields are NUL-padded, numbers octal, the checksum last. */
function header(name: string, size: number, mtime: Date): Buffer {
  const h = Buffer.alloc(BLOCK);
  const put = (value: string, offset: number, length: number) => h.write(value, offset, length, "utf8");
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, "0");
  if (Buffer.byteLength(name) > 100) throw new RangeError(`tar member name too long: ${name}`);
  put(name, 0, 100);
  put(octal(0o600, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 12);
  put("        ", 148, 8); // the checksum counts its own field as spaces
  put("0", 156, 1);
  put("ustar\u0000", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8);
  return h;
}

/**
 * The named files of `dir` as an uncompressed tar stream, each read from disk as it is sent; `tar -x`
 * restores the directory.
 */
export async function* tarFiles(dir: string, names: readonly string[]): AsyncGenerator<Buffer> {
  for (const name of names) {
    const path = join(dir, name);
    const info = await stat(path);
    yield header(name, info.size, info.mtime);
    for await (const chunk of createReadStream(path)) yield chunk as Buffer;
    const pad = (BLOCK - (info.size % BLOCK)) % BLOCK;
    if (pad > 0) yield Buffer.alloc(pad);
  }
  yield Buffer.alloc(2 * BLOCK);
}
