;; warden diff regression: validation|warden=malformed,wabt=valid|illegal opcode|byte 0xfc
;; explained by peer rule wabt-1.0.32-elem-expr-error-ignored (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\09\07\01\05\70\01\fc\70\0b\0a\04\01\02\00"
    "\0b")
  "illegal opcode")
