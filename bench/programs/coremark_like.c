/* A mixed workload in the style of CoreMark (written for this project: not
 * CoreMark's code, data or rules, and its figures are not CoreMark scores).
 * Each iteration runs four small kernels on data derived from the iteration
 * number and folds their results into a CRC-16:
 *   list    a singly linked list of 128 nodes held in an array (16-bit links):
 *           finds by key, a reversal, two bottom-up merge sorts (by value, by
 *           key);
 *   matrix  24 x 24 i16 matrices: add and multiply by a constant, matrix x
 *           vector, matrix x matrix into i32, and a bit-field extraction;
 *   state   a finite-state machine that classifies the comma-separated tokens
 *           of a 512-byte text as integer, decimal, exponent or invalid, run
 *           again after corrupting some bytes;
 *   crc     CRC-16/CCITT computed bit by bit, over all of the above. */
#include "bench.h"

typedef unsigned short u16;
typedef short i16;

static u16 crc16(u16 crc, u32 value, u32 bytes) {
  for (u32 b = 0; b < bytes; ++b) {
    crc ^= (u16)(((value >> (8 * b)) & 0xff) << 8);
    for (int k = 0; k < 8; ++k) crc = (crc & 0x8000) ? (u16)((crc << 1) ^ 0x1021) : (u16)(crc << 1);
  }
  return crc;
}

static u32 next(u32* s) {
  *s ^= *s << 13;
  *s ^= *s >> 17;
  *s ^= *s << 5;
  return *s;
}

/* ---- list */
#define NODES 128
#define NIL   0xffff
struct node {
  u16 next, key;
  i16 value;
};
static struct node nodes[NODES];

static u32 list_find(u16 head, u16 key) {
  u32 pos = 0;
  for (u16 at = head; at != NIL; at = nodes[at].next, ++pos)
    if (nodes[at].key == key) return pos;
  return NODES;
}

static u16 list_reverse(u16 head) {
  u16 prev = NIL;
  while (head != NIL) {
    u16 rest = nodes[head].next;
    nodes[head].next = prev;
    prev = head;
    head = rest;
  }
  return prev;
}

static int before(u16 x, u16 y, int by_key) {
  if (by_key) return nodes[x].key <= nodes[y].key;
  return nodes[x].value < nodes[y].value || (nodes[x].value == nodes[y].value && nodes[x].key <= nodes[y].key);
}

/* Bottom-up merge sort of a linked list: merge runs of width 1, 2, 4, ...
 * until one pass makes a single merge. Stable, no recursion, no extra memory. */
static u16 list_sort(u16 head, int by_key) {
  for (u32 width = 1;; width *= 2) {
    u16 rest = head, tail = NIL;
    u32 merges = 0;
    head = NIL;
    while (rest != NIL) {
      ++merges;
      u16 left = rest, right = rest;
      u32 left_len = 0, right_len = width;
      while (left_len < width && right != NIL) ++left_len, right = nodes[right].next;
      while (left_len > 0 || (right_len > 0 && right != NIL)) {
        u16 take;
        if (left_len == 0) {
          take = right, right = nodes[right].next, --right_len;
        } else if (right_len == 0 || right == NIL || before(left, right, by_key)) {
          take = left, left = nodes[left].next, --left_len;
        } else {
          take = right, right = nodes[right].next, --right_len;
        }
        if (tail == NIL)
          head = take;
        else
          nodes[tail].next = take;
        tail = take;
      }
      rest = right;
    }
    nodes[tail].next = NIL;
    if (merges <= 1) return head;
  }
}

static u16 list_kernel(u32 seed, u16 crc) {
  u32 s = seed | 1;
  for (u32 i = 0; i < NODES; ++i) {
    nodes[i].key = (u16)i;
    nodes[i].value = (i16)(next(&s) & 0x3fff) - 0x2000;
    nodes[i].next = (u16)(i + 1 < NODES ? i + 1 : NIL);
  }
  u16 head = 0;
  for (u32 q = 0; q < 8; ++q) crc = crc16(crc, list_find(head, (u16)((seed + q * 37) % (NODES + 8))), 1);
  head = list_reverse(head);
  head = list_sort(head, 0);
  for (u16 at = head; at != NIL; at = nodes[at].next) crc = crc16(crc, (u16)nodes[at].value, 2);
  for (u16 at = head; at != NIL; at = nodes[at].next) nodes[at].value ^= (i16)seed;
  head = list_sort(head, 1);
  u16 expect = 0;
  for (u16 at = head; at != NIL; at = nodes[at].next, ++expect)
    if (nodes[at].key != expect) return 0; /* not sorted by key: wrong */
  for (u32 q = 0; q < 8; ++q) crc = crc16(crc, list_find(head, (u16)((seed * 7 + q) % NODES)), 1);
  return crc;
}

/* ---- matrix */
#define M 24
static i16 ma[M * M], mb[M * M];
static i32 mc[M * M];

static u16 matrix_kernel(u32 seed, u16 crc) {
  u32 s = seed ^ 0x5bd1e995u;
  for (u32 i = 0; i < M * M; ++i) {
    ma[i] = (i16)((next(&s) & 0x1ff) - 0x100);
    mb[i] = (i16)((next(&s) & 0x1ff) - 0x100);
  }
  i16 k = (i16)((seed & 0x7f) + 1);
  for (u32 i = 0; i < M * M; ++i) ma[i] = (i16)(ma[i] + k);
  i32 sum = 0;
  for (u32 i = 0; i < M * M; ++i) sum += mc[i] = ma[i] * k;
  crc = crc16(crc, (u32)sum, 4);
  for (u32 i = 0; i < M; ++i) {
    i32 acc = 0;
    for (u32 j = 0; j < M; ++j) acc += ma[i * M + j] * mb[j * M];
    mc[i] = acc;
    crc = crc16(crc, (u32)acc, 2);
  }
  for (u32 i = 0; i < M; ++i)
    for (u32 j = 0; j < M; ++j) {
      i32 acc = 0;
      for (u32 t = 0; t < M; ++t) acc += ma[i * M + t] * mb[t * M + j];
      mc[i * M + j] = acc;
    }
  sum = 0;
  for (u32 i = 0; i < M * M; ++i) sum += mc[i];
  crc = crc16(crc, (u32)sum, 4);
  u32 fields = 0;
  for (u32 i = 0; i < M * M; ++i) fields += ((u32)mc[i] >> 3 & 0xf) * ((u32)mc[i] >> 9 & 0x7f);
  crc = crc16(crc, fields, 4);
  for (u32 i = 0; i < M * M; ++i) ma[i] = (i16)(ma[i] - k);
  return crc16(crc, (u16)ma[seed % (M * M)], 2);
}

/* ---- state machine */
#define TEXT 512
static u8 text[TEXT];

enum { START, SIGN, INT, DOT, FRAC, EXP, EXP_SIGN, EXP_INT, INVALID, STATES };

static void make_text(u32 seed) {
  u32 s = seed ^ 0x9e3779b9u, at = 0;
  static const u8 pool[] = "0123456789+-.eE,x";
  while (at < TEXT - 1) {
    u32 r = next(&s);
    u8 c;
    if ((r & 7) == 0)
      c = ',';
    else if ((r & 0x70) == 0)
      c = pool[(r >> 8) % (sizeof pool - 1)];
    else
      c = (u8)('0' + (r >> 8) % 10);
    text[at++] = c;
  }
  text[TEXT - 1] = ',';
}

static int is_digit(u8 c) { return c >= '0' && c <= '9'; }

static u16 scan(u16 crc) {
  u32 visits[STATES] = {0}, kinds[STATES] = {0};
  u32 state = START;
  for (u32 i = 0; i < TEXT; ++i) {
    u8 c = text[i];
    if (c == ',') {
      ++kinds[state];
      state = START;
      continue;
    }
    switch (state) {
      case START: state = is_digit(c) ? INT : (c == '+' || c == '-') ? SIGN : c == '.' ? DOT : INVALID; break;
      case SIGN: state = is_digit(c) ? INT : c == '.' ? DOT : INVALID; break;
      case INT: state = is_digit(c) ? INT : c == '.' ? DOT : (c == 'e' || c == 'E') ? EXP : INVALID; break;
      case DOT: state = is_digit(c) ? FRAC : INVALID; break;
      case FRAC: state = is_digit(c) ? FRAC : (c == 'e' || c == 'E') ? EXP : INVALID; break;
      case EXP: state = is_digit(c) ? EXP_INT : (c == '+' || c == '-') ? EXP_SIGN : INVALID; break;
      case EXP_SIGN: state = is_digit(c) ? EXP_INT : INVALID; break;
      case EXP_INT: state = is_digit(c) ? EXP_INT : INVALID; break;
      default: break;
    }
    ++visits[state];
  }
  for (u32 i = 0; i < STATES; ++i) crc = crc16(crc16(crc, visits[i], 2), kinds[i], 2);
  return crc;
}

static u16 state_kernel(u32 seed, u16 crc) {
  make_text(seed);
  crc = scan(crc);
  for (u32 i = seed % 7; i < TEXT; i += 13) text[i] = (u8)(text[i] ^ 0x21);
  return scan(crc);
}

/* n iterations. */
EXPORT(run) u32 run(u32 n) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < n; ++i) {
    u32 seed = i * 2654435761u + 12345;
    u16 crc = list_kernel(seed, 0);
    crc = matrix_kernel(seed, crc);
    crc = state_kernel(seed, crc);
    h = mix(h, crc);
  }
  return h;
}

BENCH_ENTRY(700)
