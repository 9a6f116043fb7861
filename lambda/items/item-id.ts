// Server-assigned item ids: ULID-shaped (time first, then randomness), so sorting ids sorts by creation time.
import { randomBytes } from 'node:crypto';

// Crockford's base32: no I, L, O or U, so ids survive being read aloud or typed.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_RANDOM = (1n << 80n) - 1n;

/** 26 characters: 48 bits of milliseconds then 80 random bits. The first character is at most 7. */
export const ITEM_ID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isItemId(value: string): boolean {
  return ITEM_ID_PATTERN.test(value);
}

function encode(value: bigint, chars: number): string {
  let out = '';
  for (let i = 0; i < chars; i += 1) {
    out = ALPHABET.charAt(Number(value & 31n)) + out;
    value >>= 5n;
  }
  return out;
}

export interface NewItemId {
  readonly id: string;
  /** The millisecond timestamp inside the id; the item's createdAt. */
  readonly time: number;
}

export type ItemIdGenerator = (now: number) => NewItemId;

/**
 * Ids from one generator strictly increase, even within one millisecond or when the clock steps back:
 * the random part is then the previous one plus one (the ULID "monotonic" rule). That keeps newest-first
 * exact for items a single Lambda instance creates in quick succession.
 */
export function createItemIdGenerator(random: (size: number) => Buffer = randomBytes): ItemIdGenerator {
  let lastTime = -1;
  let lastRandom = 0n;
  return (now) => {
    let time = Math.floor(now);
    let rand: bigint;
    if (time <= lastTime && lastRandom < MAX_RANDOM) {
      time = lastTime;
      rand = lastRandom + 1n;
    } else {
      time = Math.max(time, lastTime + 1);
      rand = BigInt('0x' + random(10).toString('hex'));
    }
    lastTime = time;
    lastRandom = rand;
    return { id: encode(BigInt(time), TIME_CHARS) + encode(rand, RANDOM_CHARS), time };
  };
}
