/* A bytecode interpreter: a tiny stack machine (switch dispatch) running a
 * program that sums the Collatz sequence lengths of 1..n. */
#include "bench.h"

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, SHR1, AND1, LT, JZ, JMP, DUP, DROP, HALT };

/* vars: 0 = i, 1 = n, 2 = total, 3 = x, 4 = steps. The program is
 * assembled at run time so jump targets are computed, not hand-counted. */
static i32 code[128];
static u32 code_len;

static void emit(i32 v) { code[code_len++] = v; }

static void assemble(void) {
  code_len = 0;
  emit(PUSH); emit(1); emit(STORE); emit(0);              /* i = 1 */
  emit(PUSH); emit(0); emit(STORE); emit(2);              /* total = 0 */
  u32 outer = code_len;
  emit(LOAD); emit(0); emit(LOAD); emit(1); emit(LT);     /* i < n ? */
  emit(JZ); u32 outer_exit = code_len; emit(0);
  emit(LOAD); emit(0); emit(STORE); emit(3);              /* x = i */
  emit(PUSH); emit(0); emit(STORE); emit(4);              /* steps = 0 */
  u32 inner = code_len;
  emit(PUSH); emit(1); emit(LOAD); emit(3); emit(LT);     /* 1 < x ? */
  emit(JZ); u32 inner_exit = code_len; emit(0);
  emit(LOAD); emit(3); emit(AND1);
  emit(JZ); u32 even = code_len; emit(0);
  emit(LOAD); emit(3); emit(PUSH); emit(3); emit(MUL);    /* x = 3x + 1 */
  emit(PUSH); emit(1); emit(ADD); emit(STORE); emit(3);
  emit(JMP); u32 joined = code_len; emit(0);
  code[even] = (i32)code_len;
  emit(LOAD); emit(3); emit(SHR1); emit(STORE); emit(3);  /* x >>= 1 */
  code[joined] = (i32)code_len;
  emit(LOAD); emit(4); emit(PUSH); emit(1); emit(ADD); emit(STORE); emit(4); /* ++steps */
  emit(JMP); emit((i32)inner);
  code[inner_exit] = (i32)code_len;
  emit(LOAD); emit(2); emit(LOAD); emit(4); emit(ADD);    /* total += steps * 7 ^ ... */
  emit(PUSH); emit(7); emit(MUL); emit(STORE); emit(2);
  emit(LOAD); emit(0); emit(PUSH); emit(1); emit(ADD); emit(STORE); emit(0); /* ++i */
  emit(JMP); emit((i32)outer);
  code[outer_exit] = (i32)code_len;
  emit(LOAD); emit(2); emit(HALT);
}

static i32 execute(i32 n) {
  i32 stack[16];
  i32 vars[8] = {0};
  u32 sp = 0, pc = 0;
  vars[1] = n;
  for (;;) {
    i32 op = code[pc++];
    switch (op) {
      case PUSH: stack[sp++] = code[pc++]; break;
      case LOAD: stack[sp++] = vars[code[pc++] & 7]; break;
      case STORE: vars[code[pc++] & 7] = stack[--sp]; break;
      case ADD: --sp; stack[sp - 1] = (i32)((u32)stack[sp - 1] + (u32)stack[sp]); break;
      case SUB: --sp; stack[sp - 1] = (i32)((u32)stack[sp - 1] - (u32)stack[sp]); break;
      case MUL: --sp; stack[sp - 1] = (i32)((u32)stack[sp - 1] * (u32)stack[sp]); break;
      case SHR1: stack[sp - 1] = (i32)((u32)stack[sp - 1] >> 1); break;
      case AND1: stack[sp - 1] &= 1; break;
      case LT: --sp; stack[sp - 1] = stack[sp - 1] < stack[sp]; break;
      case JZ: { i32 t = code[pc++]; if (!stack[--sp]) pc = (u32)t; break; }
      case JMP: pc = (u32)code[pc]; break;
      case DUP: stack[sp] = stack[sp - 1]; ++sp; break;
      case DROP: --sp; break;
      case HALT: return stack[sp - 1];
      default: return -1;
    }
    sp &= 15;  /* a bad program cannot write outside the stack */
  }
}

EXPORT(run) u32 run(u32 n) {
  assemble();
  return mix(2166136261u, (u32)execute((i32)n));
}

BENCH_ENTRY(12000)
