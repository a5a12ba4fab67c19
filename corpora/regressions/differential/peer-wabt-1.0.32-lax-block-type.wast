;; warden diff regression: validation|warden=malformed,wabt=invalid|malformed block type|in section 6
;; explained by peer rule wabt-1.0.32-lax-block-type (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\06\07\01\7e\00\02\ff\7f\0b")
  "malformed block type")
