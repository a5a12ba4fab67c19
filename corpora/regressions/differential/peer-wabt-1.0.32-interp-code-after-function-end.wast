;; warden diff regression: validation|warden=malformed,wabt=valid|section size mismatch|in section 10
;; explained by peer rule wabt-1.0.32-interp-code-after-function-end (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0a\06\01\04\00\0b\01\0b")
  "section size mismatch")
