;; warden diff regression: validation|warden=invalid,wabt=valid|type mismatch|at call_indirect
;; explained by peer rule wabt-1.0.32-call-indirect-table-type-unchecked (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\04\04\01\6f\00\01\0a\09\01\07\00\41\00\11"
    "\00\00\0b")
  "type mismatch")
