;; warden diff regression: validation|warden=invalid,wabt=malformed|type mismatch|at call_indirect
;; explained by peer rule wabt-1.0.32-name-section-errors-reject-module (Warden behaves as below)
;; A Warden bug, found by `warden diff --time 150s --seed 9161`: the rule asks
;; whether wabt, given the module without its custom sections, is explained by
;; another catalogued bug (here wabt-1.0.32-call-indirect-table-type-unchecked),
;; and it gave that rule Warden's load of the module *with* them, whose error
;; offset points 8 bytes past the call_indirect in the stripped bytes. Reduced
;; by hand: a call_indirect through an externref table, after a "name" section
;; whose first subsection id does not read.
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\00\06\04\6e\61\6d\65\80\03\02\01\00\04\04\01\6f\00\01\0a\09\01\07\00\41\00\11\00\00\0b")
  "type mismatch")
