;; warden diff regression: validation|warden=malformed,wabt=invalid,binaryen=valid|integer representation too long|in section 10
;; explained by peer rule wabt-1.0.32-lax-value-type-encoding+binaryen-108-lax-leb128 (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7b\03\02\01\00\07\05\01\01\66\00\00\0a\16\01\14\01\fd"
    "\0c\ff\ff\ff\7f\00\00\00\00\00\00\80\a6\00\00\80\a6\0b\00\09\03\78\34\34\d2\6b\f7\da\df")
  "integer representation too long")
