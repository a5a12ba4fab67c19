;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at i32x4.trunc_sat_f32x4_s
;; explained by peer rule binaryen-108-skips-validation-after-branch (Warden behaves as below)
;; warden diff --seed 20261215, replayed from its minimized module (--reduce-budget 600): a block whose
;; body is `unreachable ... br_if 0` inside a loop; Binaryen 108 does not read the dead br_if, so the
;; block and the loop never fall through to it, and the i32x4.trunc_sat_f32x4_s of an f32 after them
;; is dead to it (Binaryen 132 rejects it: "f32 != v128: expected v128 operand").
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\51\0e\60\00\00\60\00\01\7f\60\01\7f\00\60\01\7e\00\60\01\7d\00\60\01"
    "\7c\00\60\01\7b\00\60\04\7d\7d\7c\7f\00\60\00\01\7e\60\01\7c\05\7d\7e\7f\7d\7f\60\00\05\7d\7e\7f"
    "\7d\7f\60\04\7f\7c\7f\7e\01\7f\60\06\7c\7e\7f\7d\7d\7b\01\7e\60\03\7f\7e\7d\01\7e\02\84\01\05\0f"
    "\66\75\7a\7a\69\6e\67\2d\73\75\70\70\6f\72\74\07\6c\6f\67\2d\69\33\32\00\02\0f\66\75\7a\7a\69\6e"
    "\67\2d\73\75\70\70\6f\72\74\07\6c\6f\67\2d\69\36\34\00\03\0f\66\75\7a\7a\69\6e\67\2d\73\75\70\70"
    "\6f\72\74\07\6c\6f\67\2d\66\33\32\00\04\0f\66\75\7a\7a\69\6e\67\2d\73\75\70\70\6f\72\74\07\6c\6f"
    "\67\2d\66\36\34\00\05\0f\66\75\7a\7a\69\6e\67\2d\73\75\70\70\6f\72\74\08\6c\6f\67\2d\76\31\32\38"
    "\00\06\03\05\04\01\0b\0c\0d\05\04\01\01\10\11\06\15\03\7d\01\43\00\fd\7f\47\0b\7f\01\41\e4\be\7e"
    "\0b\7f\01\41\0a\0b\0c\01\00\0a\c3\01\04\03\00\00\0b\03\00\00\0b\03\00\00\0b\b4\01\04\02\7c\05\7f"
    "\02\7d\01\7e\02\40\23\02\45\04\40\20\0c\0f\0b\23\02\41\01\6b\24\02\0b\02\40\03\40\02\40\23\02\45"
    "\04\40\20\01\0f\0b\23\02\41\01\6b\24\02\0b\02\40\02\40\03\40\02\40\23\02\45\04\40\42\82\7f\0f\0b"
    "\23\02\41\01\6b\24\02\0b\02\40\02\40\20\03\10\03\02\40\41\fe\00\45\04\7f\02\7f\20\05\0b\04\7f\03"
    "\7f\02\7f\02\7f\03\40\02\40\00\1a\20\09\20\00\34\00\16\10\06\0d\00\0b\0b\03\7f\02\7f\02\40\43\00"
    "\00\00\5e\fd\f8\01\02\40\20\01\0f\0b\0b\0b\0b\0b\41\f7\f8\7e\0b\0b\05\41\7f\0b\05\20\05\0b\0b\0b"
    "\0b\0b\0b\0b\0b\02\40\42\c0\88\7f\0f\0b\0b\0b")
  "type mismatch")
