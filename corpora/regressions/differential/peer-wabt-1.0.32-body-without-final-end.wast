;; warden diff regression: validation|warden=malformed,wabt=valid|unexpected end of section or function|in section 10
;; explained by peer rule wabt-1.0.32-body-without-final-end (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\05\01\60\00\01\7c\03\02\01\00\0a\08\01\06\00\02\7c\01\00\0b")
  "unexpected end of section or function")
