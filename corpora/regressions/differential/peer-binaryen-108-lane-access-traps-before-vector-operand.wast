;; warden diff regression: result|state: global|binaryen
;; explained by peer rule binaryen-108-lane-access-traps-before-vector-operand (Warden behaves as below)
(module binary
    "\00\61\73\6d\01\00\00\00\01\10\03\60\00\01\7b\60\00\01\7f\60\00\04\7f\7f\7e\7f\03\05\04\00\01\01"
    "\02\05\04\01\01\01\01\06\0b\02\7f\01\41\00\0b\7f\01\41\00\0b\07\15\03\02\63\30\00\02\04\63\30\5f"
    "\31\00\02\05\73\74\61\74\65\00\03\0a\cb\02\04\1b\00\23\00\41\01\6a\24\00\fd\0c\07\00\00\00\00\00"
    "\00\00\07\00\00\00\00\00\00\00\0b\10\00\41\80\80\04\10\00\fd\54\00\00\00\fd\1b\00\0b\0a\01\01\7f"
    "\10\01\21\00\20\00\0b\90\02\03\01\7f\01\7e\01\7f\23\01\3f\00\41\00\21\00\42\a5\c6\88\a1\c8\9c\a7"
    "\f9\4b\21\01\3f\00\41\02\3f\00\41\02\49\1b\41\10\74\21\02\02\40\03\40\20\00\20\02\4f\0d\01\20\01"
    "\20\00\29\03\00\85\42\b3\83\80\80\80\20\7e\21\01\20\01\20\00\29\03\08\85\42\b3\83\80\80\80\20\7e"
    "\21\01\20\01\20\00\29\03\10\85\42\b3\83\80\80\80\20\7e\21\01\20\01\20\00\29\03\18\85\42\b3\83\80"
    "\80\80\20\7e\21\01\20\01\20\00\29\03\20\85\42\b3\83\80\80\80\20\7e\21\01\20\01\20\00\29\03\28\85"
    "\42\b3\83\80\80\80\20\7e\21\01\20\01\20\00\29\03\30\85\42\b3\83\80\80\80\20\7e\21\01\20\01\20\00"
    "\29\03\38\85\42\b3\83\80\80\80\20\7e\21\01\20\00\41\c0\00\6a\21\00\0c\00\0b\0b\3f\00\41\80\02\3f"
    "\00\41\80\02\49\1b\41\10\74\21\02\02\40\03\40\20\00\20\02\4f\0d\01\20\01\20\00\29\03\00\85\42\b3"
    "\83\80\80\80\20\7e\21\01\20\00\41\80\20\6a\21\00\0c\00\0b\0b\20\01\23\00\0b")
(assert_trap (invoke "c0") "out of bounds memory access")
(assert_trap (invoke "c0_1") "out of bounds memory access")
(assert_return (invoke "state") (i32.const 0) (i32.const 1) (i64.const -5057256519648369883) (i32.const 2))

;; The bug by hand (the module `warden diff --replay` minimized above): the
;; vector operand's call runs (the global counts it) before the address traps,
;; and a trap inside that call is the one reported (Binaryen 108: count 0, and
;; "highest > memory" for inner-trap).
(module
  (memory 1 1)
  (global $g (mut i32) (i32.const 0))
  (func $vec (result v128) (global.set $g (i32.add (global.get $g) (i32.const 1))) (v128.const i64x2 7 7))
  (func (export "load") (result i32)
    (i32x4.extract_lane 0 (v128.load8_lane 0 (i32.const 0x10000) (call $vec))))
  (func (export "store") (v128.store64_lane 1 (i32.const 0xfff9) (call $vec)))
  (func $trap (result v128) (unreachable))
  (func (export "inner-trap") (result i32)
    (i32x4.extract_lane 0 (v128.load32_lane 0 (i32.const 0x10000) (call $trap))))
  (func (export "count") (result i32) (global.get $g)))
(assert_trap (invoke "load") "out of bounds memory access")
(assert_trap (invoke "store") "out of bounds memory access")
(assert_return (invoke "count") (i32.const 2))
(assert_trap (invoke "inner-trap") "unreachable")
