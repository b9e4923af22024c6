/**
 * The bytes of a view (a Node Buffer may sit at any offset of a shared pool) copied into an ArrayBuffer of
 * their own, so that a Float32Array or BigInt64Array can be laid over them at offset 0.
 */
export function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
