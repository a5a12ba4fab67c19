;; warden diff regression: validation|warden=invalid,binaryen-npm=valid|type mismatch|at i64.lt_u
;; explained by peer rule binaryen-108-skips-validation-after-branch (Warden behaves as below)
;; (func (result i64) unreachable f64.div i64.lt_u): f64.div takes its
;; operands from the polymorphic stack, Binaryen 132 types it unreachable.
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7e\03\02\01\00\0a\07\01\05\00\00\a3\54\0b")
  "type mismatch")
