;; warden diff regression: validation|warden=malformed,wabt=valid|unexpected end of section or function|in section 6
;; explained by peer rule wabt-1.0.32-const-expr-missing-end (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\06\06\01\7f\00\41\c5\0b")
  "unexpected end of section or function")
