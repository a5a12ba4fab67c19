;; warden diff regression: validation|warden=malformed,wabt=valid|data count and data section have inconsistent le|in section 10
;; explained by peer rule wabt-1.0.32-datacount-without-data-section (Warden behaves as below)
(assert_malformed
  (module binary
    "\00\61\73\6d\01\00\00\00\01\04\01\60\00\00\03\02\01\00\0c\01\01\0a\04\01\02\00\0b")
  "data count and data section have inconsistent lengths")
