/* CRC-32 (the reflected polynomial 0xEDB88320 of zlib and Ethernet), table
 * driven, one byte per step: a load from the buffer, a table lookup by a
 * computed index, shifts and xors. The table is built at start-up. */
#include "bench.h"

#define BYTES (1u << 16)
static u32 table[256];
static u8 data[BYTES];

static void make_table(void) {
  for (u32 i = 0; i < 256; ++i) {
    u32 c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
}

NOINLINE static u32 crc32(const u8* p, u32 len, u32 crc) {
  crc = ~crc;
  for (u32 i = 0; i < len; ++i) crc = table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return ~crc;
}

/* Runs the CRC over n bytes in all (whole passes over the buffer); each pass
 * flips one byte chosen by the previous CRC. Returns 0 if the CRC of
 * "123456789" is not the standard check value 0xCBF43926. */
EXPORT(run) u32 run(u32 n) {
  make_table();
  static const u8 check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  if (crc32(check, 9, 0) != 0xCBF43926u) return 0;
  u32 s = 0x9E3779B9u;
  for (u32 i = 0; i < BYTES; ++i) {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    data[i] = (u8)(s >> 11);
  }
  u32 passes = n / BYTES;
  if (passes == 0) passes = 1;
  u32 crc = 0, h = 2166136261u;
  for (u32 p = 0; p < passes; ++p) {
    crc = crc32(data, BYTES, crc);
    data[crc % BYTES] ^= (u8)(crc >> 24);
    h = mix(h, crc);
  }
  return h;
}

BENCH_ENTRY(16000000)
