;; warden diff regression: validation|warden=invalid,binaryen=valid|type mismatch|at i64.or
;; explained by peer rule binaryen-108-skips-validation-after-branch (Warden behaves as below)
(assert_invalid
  (module binary
    "\00\61\73\6d\01\00\00\00\01\07\01\60\00\03\7d\7e\7f\03\02\01\00\06\06\01\7f\01\41\2b\0b\0c\01\00"
    "\0a\1c\01\1a\00\02\40\43\00\00\80\ff\42\21\23\00\41\f1\b6\da\fa\79\0e\02\01\01\01\0b\84\0b")
  "type mismatch")
