;; warden diff regression: validation|warden=malformed,wabt=valid|malformed data segment kind|in section 11
;; explained by peer rule wabt-1.0.32-data-segment-flags (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\05\03\01\00\01\0b\03\01\05\00")
  "malformed data segment kind")
