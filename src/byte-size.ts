const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;

/** Parses `512kb`, `1mb` or a plain number of bytes (units of 1024, as express's body limit reads them). */
export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a size (write it like 512kb, 1mb or a number of bytes)`);
  const unit = (match[2]?.toLowerCase() ?? 'b') as keyof typeof UNIT_BYTES;
  return Math.floor(Number(match[1]) * UNIT_BYTES[unit]);
}
