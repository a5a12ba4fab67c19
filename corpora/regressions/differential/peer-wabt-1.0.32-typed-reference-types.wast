;; warden diff regression: validation|warden=malformed,wabt=valid|malformed reference type|in section 4
;; explained by peer rule wabt-1.0.32-typed-reference-types (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\04\04\01\6b\00\00")
  "malformed reference type")
