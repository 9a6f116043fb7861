// The bench floor's own JWS-to-DER conversion for ECDSA signatures (the package's is internal, and the bench
// uses the package only through its entry points): r || s into SEQUENCE { INTEGER r, INTEGER s }.
function integer(unsigned: Buffer): number[] {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const content = [...unsigned.subarray(start)];
  if (content[0]! & 0x80) content.unshift(0);
  return [0x02, content.length, ...content];
}

/** The DER form of a JWS ECDSA signature whose r and s are `size` bytes each (no long-form lengths: P-256). */
export function p1363ToDer(signature: Buffer, size: number): Buffer {
  const body = [...integer(signature.subarray(0, size)), ...integer(signature.subarray(size))];
  return Buffer.from([0x30, body.length, ...body]);
}
