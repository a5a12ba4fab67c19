;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at end
;; explained by peer rule binaryen-108-skips-validation-after-branch (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\06\01\60\01\7f\01\7f\03\02\01\00\0a\0f\01\0d\00\03\7f\41\01\0f\43\00"
    "\00\00\00\0b\0b")
  "type mismatch")
